from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from phongdich.core.events import retry_dead
from phongdich.core.models import OutboxEvent, Rule
from phongdich.core.rules import all_specs, reset_cache, validate
from phongdich.core.signals import rule_changed


class RuleForm(forms.ModelForm):
    key = forms.ChoiceField(choices=[])

    class Meta:
        model = Rule
        fields = ["key", "value", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [
            (s.key, f"{s.key} — {s.description} (default {s.default!r})") for s in all_specs()
        ]

    def clean(self):
        data = super().clean()
        if "key" in data and "value" in data:
            validate(data["key"], data["value"])
        return data


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ("key", "value", "updated_by", "updated_at", "note")

    def save_model(self, request, obj, form, change):
        old = Rule.objects.filter(pk=obj.pk).values_list("value", flat=True).first()
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        reset_cache()
        rule_changed.send(Rule, rule=obj, old=old, request=request, deleted=False)

    def delete_model(self, request, obj):
        old = obj.value
        super().delete_model(request, obj)
        reset_cache()
        rule_changed.send(Rule, rule=obj, old=old, request=request, deleted=True)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class DeadLetterFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("pending")),
            ("dead", _("dead letter")),
            ("delivered", _("delivered")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "dead":
            return queryset.filter(dead=True)
        if value == "pending":
            return queryset.filter(dead=False, delivered_at__isnull=True)
        if value == "delivered":
            return queryset.filter(delivered_at__isnull=False)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """The dead-letter view: events a handler kept failing on, with the last error; retry them
    once the cause is fixed."""

    list_display = ("id", "topic", "created_at", "attempts", "delivered_at", "dead")
    list_filter = (DeadLetterFilter, "topic")
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Deliver again"))
    def retry(self, request, queryset):
        count = retry_dead(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(n)d events queued again.") % {"n": count}, messages.INFO)
