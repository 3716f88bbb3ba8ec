from django.contrib import admin

from phongdich.testing.models import Lab


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "created_at")
    list_filter = ("province",)
    filter_horizontal = ("staff",)
    search_fields = ("name",)
