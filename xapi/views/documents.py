"""/xapi/activities/state, /xapi/activities/profile and /xapi/agents/profile: documents
kept by id about an activity and an agent, an activity, or an agent. Without an id, a
GET lists the ids (updated since a time), and a DELETE of states removes them all."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime

from django.http import HttpResponse

from langportal.errors import InvalidInput
from xapi.services import documents
from xapi.services.documents import Place
from xapi.services.etags import Preconditions, etag_header, etag_of, preconditions_parsed
from xapi.views.common import XapiRequest, XapiView, json_response
from xapi.views.resources import agent_parameter


class DocumentsView(XapiView):
    """One document resource: `about` are the parameters that say where its documents
    are, `id_name` the one that names a document."""

    about: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    id_name = ""
    delete_all = False  # whether a DELETE without an id deletes every document of the place

    def place(self, request: XapiRequest) -> Place:
        raise NotImplementedError

    def xapi_get(self, request: XapiRequest) -> HttpResponse:
        listing = self.id_name not in request.params
        document_id = self._document_id(request, required=False, also=("since",) if listing else ())
        place = self.place(request)
        if document_id is None:
            found = documents.document_ids(place, principal=request.principal, since=request.params.get("since"))
            response = json_response(found.ids)
            response["ETag"] = etag_header(etag_of(response.content))  # xAPI asks for one on every GET here
            if found.last_modified:
                response["Last-Modified"] = _http_date(found.last_modified)
            return response
        document = documents.document_read(place, document_id, principal=request.principal)
        response = HttpResponse(document.content, content_type=document.content_type)
        response["ETag"] = etag_header(document.etag)
        response["Last-Modified"] = _http_date(document.updated)
        return response

    def xapi_put(self, request: XapiRequest) -> HttpResponse:
        return self._store(request, merge=False)

    def xapi_post(self, request: XapiRequest) -> HttpResponse:
        return self._store(request, merge=True)

    def xapi_delete(self, request: XapiRequest) -> HttpResponse:
        document_id = self._document_id(request, required=not self.delete_all)
        place, preconditions = self.place(request), _preconditions(request)
        if document_id is None:
            documents.documents_delete(place, preconditions=preconditions, principal=request.principal)
        else:
            documents.document_delete(place, document_id, preconditions=preconditions, principal=request.principal)
        return HttpResponse(status=204)

    def _store(self, request: XapiRequest, *, merge: bool) -> HttpResponse:
        document_id = self._document_id(request, required=True)
        documents.document_store(
            self.place(request),
            document_id,
            content=request.body,
            content_type=request.header("Content-Type"),
            merge=merge,
            preconditions=_preconditions(request),
            principal=request.principal,
            version=request.version,
        )
        return HttpResponse(status=204)

    def _document_id(self, request: XapiRequest, *, required: bool, also: tuple[str, ...] = ()) -> str | None:
        """The id the request names (None when it names none and need not), once its
        parameters are known: 400 for one missing or one this resource does not take."""
        params = request.params
        unknown = set(params) - {*self.about, *self.optional, self.id_name, *also}
        if unknown:
            raise InvalidInput(f"This request does not take the parameters {', '.join(sorted(unknown))}.")
        for name in self.about:
            if name not in params:
                raise InvalidInput(f"The parameter {name} is required.")
        if self.id_name not in params:
            if required:
                raise InvalidInput(f"The parameter {self.id_name} is required.")
            return None
        return documents.document_id_checked(params[self.id_name], self.id_name)


class StateView(DocumentsView):
    about = ("activityId", "agent")
    optional = ("registration",)
    id_name = "stateId"
    delete_all = True

    def place(self, request: XapiRequest) -> Place:
        return documents.state_place(
            activity_id=request.params["activityId"],
            agent=agent_parameter(request, only=False),
            registration=request.params.get("registration"),
        )


class ActivityProfileView(DocumentsView):
    about = ("activityId",)
    id_name = "profileId"

    def place(self, request: XapiRequest) -> Place:
        return documents.activity_profile_place(activity_id=request.params["activityId"])


class AgentProfileView(DocumentsView):
    about = ("agent",)
    id_name = "profileId"

    def place(self, request: XapiRequest) -> Place:
        return documents.agent_profile_place(agent=agent_parameter(request, only=False))


def _preconditions(request: XapiRequest) -> Preconditions:
    return preconditions_parsed(if_match=request.header("If-Match"), if_none_match=request.header("If-None-Match"))


def _http_date(updated: str) -> str:
    return format_datetime(datetime.fromisoformat(updated), usegmt=True)
