from django.contrib import admin
from django.http import HttpRequest

from exports.models import Branding, Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["id", "document", "format", "customer", "user", "status", "size", "download_count", "created_at"]
    list_filter = ["document", "format", "customer"]
    search_fields = ["id", "customer__name", "user__email", "file_name"]
    list_select_related = ["customer", "user", "job"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Export._meta.fields] + ["status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Status")
    def status(self, export: Export) -> str:
        return export.status


@admin.register(Branding)
class BrandingAdmin(admin.ModelAdmin):
    list_display = ["customer", "color", "logo", "updated_at"]
    search_fields = ["customer__name"]
    autocomplete_fields = ["customer"]
