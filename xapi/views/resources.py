"""/xapi/about, /xapi/agents and /xapi/activities: the store's versions, the Person
object of an Agent, and an Activity with its canonical definition."""

from __future__ import annotations

from django.http import HttpResponse

from langportal.errors import InvalidInput
from xapi.services import activities, agents
from xapi.services.validation import agent_checked, iri_checked, json_parsed
from xapi.views.common import XapiRequest, XapiView, json_response

VERSIONS = ["1.0.3", "2.0.0"]


class AboutView(XapiView):
    version_required = False
    authenticated = False

    def xapi_get(self, request: XapiRequest) -> HttpResponse:
        if request.params:
            raise InvalidInput("The about resource takes no parameters.")
        return json_response({"version": VERSIONS, "extensions": {}})


class AgentsView(XapiView):
    def xapi_get(self, request: XapiRequest) -> HttpResponse:
        return json_response(agents.person(agent_parameter(request)))


class ActivitiesView(XapiView):
    def xapi_get(self, request: XapiRequest) -> HttpResponse:
        if set(request.params) != {"activityId"}:
            raise InvalidInput("The activities resource takes one parameter, activityId.")
        return json_response(activities.activity_get(iri_checked(request.params["activityId"], "activityId")))


def agent_parameter(request: XapiRequest, name: str = "agent", *, only: bool = True) -> dict:
    """The Agent (or identified Group) a parameter gives as JSON (400 when it is none)."""
    if only and set(request.params) != {name}:
        raise InvalidInput(f"This resource takes one parameter, {name}.")
    if name not in request.params:
        raise InvalidInput(f"The parameter {name} is required.")
    return agent_checked(json_parsed(request.params[name], name), version=request.version)
