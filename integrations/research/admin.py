from django.contrib import admin

from integrations.research.models import CompanyProfile, Screenshot


@admin.register(CompanyProfile)
class CompanyProfileAdmin(admin.ModelAdmin):
    list_display = ["domain", "customer", "status", "title", "fetched_at"]
    list_filter = ["status"]
    search_fields = ["domain", "title"]
    readonly_fields = [f.name for f in CompanyProfile._meta.fields]


@admin.register(Screenshot)
class ScreenshotAdmin(admin.ModelAdmin):
    list_display = ["url", "customer", "full_page", "size", "created_at"]
    readonly_fields = [f.name for f in Screenshot._meta.fields]
