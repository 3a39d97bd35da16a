"""The Django admin (platform admins only, at /beheer/) for what a school's leader sets in the
app, its ambition and themes, and for its improvement boards (the revision stays read only: the
app bumps it on every change, and presentation screens compare it). The board history is shown
read only: it is a record, not something to correct. The other instruments are not here: lesson
designs, visits and feedback rounds are kept in the app, and a visit's notes are for its two
teachers only."""

from django.contrib import admin
from django.utils import timezone

from instruments.models import Ambition, BoardEvent, ImprovementBoard, Theme


class VersionedAdmin(admin.ModelAdmin):
    """A row the school leader also edits in the app (instruments.services.direction): a change
    saved here is a new version too, so an edit in the app started before it is an edit conflict
    rather than overwriting it unseen."""

    readonly_fields = ["version", "updated_by"]

    def save_model(self, request, obj, form, change):
        if change and form.has_changed():
            obj.version += 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Ambition)
class AmbitionAdmin(VersionedAdmin):
    list_display = ["school", "text", "updated_at"]
    search_fields = ["school__name", "text"]
    raw_id_fields = ["school"]


@admin.register(Theme)
class ThemeAdmin(VersionedAdmin):
    list_display = ["name", "school", "school_year", "starts_on", "ends_on"]
    list_filter = ["school_year"]
    search_fields = ["name", "school__name"]
    raw_id_fields = ["school"]
    readonly_fields = [*VersionedAdmin.readonly_fields, "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(ImprovementBoard)
class ImprovementBoardAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "school", "team", "revision"]
    list_filter = ["kind"]
    search_fields = ["title", "school__name", "team__name"]
    raw_id_fields = ["school", "team", "owner"]
    readonly_fields = ["revision"]


@admin.register(BoardEvent)
class BoardEventAdmin(admin.ModelAdmin):
    list_display = ["at", "board", "user", "entity", "entity_id", "verb", "field_label", "old", "new"]
    list_filter = ["entity", "verb"]
    raw_id_fields = ["board", "school", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
