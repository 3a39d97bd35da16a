"""The Django admin (platform admins only, at /beheer/) shows questionnaires for looking up, read
only: they are written in the app (/barometer/vragenlijsten/), where the services keep a
published version from ever changing. An edit here would pass those rules by."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barometer.models import Question, Questionnaire, QuestionnaireVersion, Section


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnlyInline):
    model = QuestionnaireVersion
    fields = ["number", "status", "published_at", "created_by"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "kind", "editor"]
    list_filter = ["kind"]
    search_fields = ["title", "slug"]
    inlines = [VersionInline]

    @admin.display(description=gettext_lazy("In de app"))
    def editor(self, obj):
        url = reverse("barometer:questionnaire_detail", kwargs={"questionnaire_id": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("bewerken"))


class SectionInline(ReadOnlyInline):
    model = Section
    fields = ["position", "title", "component"]


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = ["section", "position", "code", "kind", "text", "required"]


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(ReadOnlyAdmin):
    list_display = ["questionnaire", "number", "status", "published_at"]
    list_filter = ["status", "questionnaire"]
    inlines = [SectionInline, QuestionInline]
