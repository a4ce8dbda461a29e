from django.urls import path

from xapi.views.resources import AboutView, ActivitiesView, AgentsView
from xapi.views.statements import StatementsView

app_name = "xapi"

urlpatterns = [
    path("about", AboutView.as_view(), name="about"),
    path("statements", StatementsView.as_view(), name="statements"),
    path("agents", AgentsView.as_view(), name="agents"),
    path("activities", ActivitiesView.as_view(), name="activities"),
]
