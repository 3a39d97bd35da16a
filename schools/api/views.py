"""The JSON API. Same rule as the pages: the tenancy middleware admits the route first."""

from rest_framework.generics import ListAPIView

from leerkracht.access import personal, requires
from leerkracht.roles import Capability
from schools import selectors
from schools.api.serializers import SchoolSerializer, TeamSerializer


@personal
class SchoolListAPI(ListAPIView):
    """The schools the user may see, as the pages show them (an admin: every school), by name,
    paginated."""

    serializer_class = SchoolSerializer

    def get_queryset(self):
        return selectors.school_list(access=self.request.access)


@requires(Capability.TEAM_VIEW)
class TeamListAPI(ListAPIView):
    """A school's teams as the user may see them (a teacher: their own)."""

    serializer_class = TeamSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.team_list(access=self.request.access, school_id=self.kwargs["school_id"])
