"""Django admin for everything in schools/, for platform admins only (User.is_staff is
is_admin). Tenant models are read through the scope the middleware opens: ALL for admins."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from schools.models import (
    Region,
    RegionMembership,
    School,
    SchoolGroup,
    SchoolGroupMembership,
    SchoolMembership,
    Team,
    TeamMembership,
    User,
)

admin.site.site_header = _("leerKRACHT beheer")
admin.site.site_title = _("leerKRACHT beheer")
admin.site.index_title = _("Beheer")


class SchoolMembershipInline(admin.TabularInline):
    model = SchoolMembership
    extra = 0
    autocomplete_fields = ["user"]


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    show_change_link = True


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Persoon"), {"fields": ["first_name", "last_name"]}),
        (_("Rechten"), {"fields": ["is_active", "is_superuser"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "password1", "password2"]})
    ]
    filter_horizontal = []


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SchoolGroup)
class SchoolGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "city"]
    search_fields = ["name", "code", "city"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sector", "city", "region", "phase", "start_date"]
    list_filter = ["sector", "phase", "region"]
    search_fields = ["name", "code", "city"]
    autocomplete_fields = ["school_group", "expertcoach"]
    list_select_related = ["region"]
    inlines = [TeamInline, SchoolMembershipInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "school"]
    search_fields = ["name", "school__name"]
    autocomplete_fields = ["school"]
    list_select_related = ["school"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "school"]
    autocomplete_fields = ["user", "team", "school"]
    list_select_related = ["user", "team", "school"]


@admin.register(SchoolMembership)
class SchoolMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "school", "role"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "school"]
    list_select_related = ["user", "school"]


@admin.register(RegionMembership)
class RegionMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "role"]
    autocomplete_fields = ["user"]


@admin.register(SchoolGroupMembership)
class SchoolGroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "school_group", "role"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "school_group"]
