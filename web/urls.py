from django.urls import path

from web import api, views

urlpatterns = [
    path("", views.search_page, name="search"),
    path("logga-in", views.login_page, name="login"),
    path("logga-ut", views.logout_page, name="logout"),
    path("export.<str:fmt>", views.export, name="export"),
    path("dokument/<str:doc_id>", views.document_page, name="document"),
    path("dokument/<str:doc_id>/original", views.original, name="original"),
    path("dokument/<str:doc_id>/metadata", views.edit_metadata, name="metadata"),
    path("arende/<path:number>", views.case_page, name="case"),
    path("ladda-upp", views.upload, name="upload"),
    path("skapa", views.generate_kinds, name="generate_kinds"),
    path("skapa/<str:slug>", views.generate, name="generate"),
    path("konton", views.accounts_page, name="accounts"),
    path("konton/<str:name>", views.account_page, name="account"),
    path("logg", views.audit_page, name="audit"),
    path("logg.csv", views.audit_export, name="audit_export"),
    path("api/search", api.search, name="api_search"),
    path("api/documents/<str:doc_id>", api.document, name="api_document"),
]

handler404 = "web.views.not_found"
handler403 = "web.views.forbidden"
handler500 = "web.views.server_error"
