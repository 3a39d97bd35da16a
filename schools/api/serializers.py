from rest_framework import serializers

from schools.models import School, Team


class SchoolSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name")

    class Meta:
        model = School
        fields = ["id", "name", "code", "sector", "city", "region", "phase", "start_date"]


class TeamSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "member_count"]
