from django.urls import path

from showroom.crm.channels import views as channel_views
from showroom.crm.crosscheck import views as crosscheck_views
from showroom.crm.intent import views as intent_views
from showroom.crm.interviews import views as interview_views
from showroom.crm.lists import views as list_views
from showroom.crm.surveys import views as survey_views

app_name = "crm"

urlpatterns: list = [  # type: ignore[type-arg]
    path("crosscheck/", crosscheck_views.crosscheck, name="crosscheck"),
    path("crosscheck/refresh/", crosscheck_views.refresh, name="crosscheck_refresh"),
    path("crosscheck/thresholds/", crosscheck_views.thresholds, name="crosscheck_thresholds"),
    path("crosscheck/<int:pk>/explain/", crosscheck_views.explain, name="crosscheck_explain"),
    path("intent/", intent_views.intent_checks, name="intent_checks"),
    path("intent/<int:pk>/", intent_views.intent_record, name="intent_record"),
    path("intent/statistics/", intent_views.intent_stats, name="intent_stats"),
    path("lists/", list_views.index, name="lists"),
    path("lists/new/", list_views.new, name="list_new"),
    path("lists/import/", list_views.import_list, name="list_import"),
    path("lists/recalls/new/", list_views.recall_new, name="recall_new"),
    path("lists/<int:pk>/", list_views.detail, name="list_detail"),
    path("lists/<int:pk>/submit/", list_views.submit, name="list_submit"),
    path("lists/<int:pk>/assign/", list_views.assign, name="list_assign"),
    path("lists/<int:pk>/close/", list_views.close, name="list_close"),
    path("lists/entries/<int:pk>/", list_views.entry, name="entry"),
    path("lists/entries/<int:pk>/call/", list_views.call, name="entry_call"),
    path("lists/entries/<int:pk>/card/", list_views.entry_card, name="entry_card"),
    path("lists/entries/<int:pk>/close/", list_views.entry_close, name="entry_close"),
    path("interviews/", interview_views.interview_list, name="interviews"),
    path("interviews/<int:order_pk>/", interview_views.interview, name="interview"),
    path("profiles/", interview_views.profile, name="profiles"),
    path("surveys/", survey_views.survey_list, name="surveys"),
    path("surveys/new/", survey_views.survey_edit, name="survey_new"),
    path("surveys/<int:pk>/", survey_views.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/take/", survey_views.survey_take, name="survey_take"),
    path("surveys/<int:pk>/results/", survey_views.survey_results, name="survey_results"),
    path("channels/spend/", channel_views.spend, name="channel_spend"),
]
