from django import forms
from django.contrib import admin

from phongdich.portal.models import Rule
from phongdich.portal.rules import all_specs, reset_cache, validate


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
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        reset_cache()
