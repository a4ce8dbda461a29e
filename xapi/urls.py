from django.urls import path

from xapi.views.documents import ActivityProfileView, AgentProfileView, StateView
from xapi.views.resources import AboutView, ActivitiesView, AgentsView
from xapi.views.statements import StatementsView

app_name = "xapi"

urlpatterns = [
    path("about", AboutView.as_view(), name="about"),
    path("statements", StatementsView.as_view(), name="statements"),
    path("agents", AgentsView.as_view(), name="agents"),
    path("activities", ActivitiesView.as_view(), name="activities"),
    path("activities/state", StateView.as_view(), name="state"),
    path("activities/profile", ActivityProfileView.as_view(), name="activity-profile"),
    path("agents/profile", AgentProfileView.as_view(), name="agent-profile"),
]
