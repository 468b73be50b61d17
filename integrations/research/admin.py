from django.contrib import admin

from integrations.research.models import CompanyProfile, Screenshot


@admin.register(CompanyProfile)
class CompanyProfileAdmin(admin.ModelAdmin):
    list_display = ["domain", "customer", "status", "title", "fetched_at"]
    list_filter = ["status", "fetched_at"]
    search_fields = ["domain", "title", "customer__name"]
    list_select_related = ["customer"]
    readonly_fields = [f.name for f in CompanyProfile._meta.fields]


@admin.register(Screenshot)
class ScreenshotAdmin(admin.ModelAdmin):
    list_display = ["url", "customer", "full_page", "size", "created_at"]
    list_filter = ["full_page", "created_at"]
    search_fields = ["url", "customer__name"]
    list_select_related = ["customer"]
    readonly_fields = [f.name for f in Screenshot._meta.fields]
