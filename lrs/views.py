"""The learning record store API: parse, call one service, shape the answer."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsTeacher
from langportal.api.parsing import validated
from lrs import services
from lrs.serializers import (
    CursorQuery,
    ProgressOutput,
    ReviewInput,
    ReviewItemOutput,
    ReviewOutput,
    SessionDetailOutput,
    SessionListOutput,
    SessionOutput,
    SessionStartInput,
    WordStatListOutput,
    WordStatOutput,
    idempotency_key,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Send the same key again to retry safely: one review is recorded, the same answer returned.",
)


class SessionStartView(APIView):
    @extend_schema(
        operation_id="study_sessions_create",
        request=SessionStartInput,
        responses={201: SessionOutput},
        tags=["study sessions"],
    )
    def post(self, request):
        session = services.session_start(caller=request.user, **validated(SessionStartInput, request.data))
        return Response(SessionOutput(session).data, status=status.HTTP_201_CREATED)


class SessionListView(APIView):
    @extend_schema(
        operation_id="study_sessions_list",
        parameters=[CursorQuery],
        responses=SessionListOutput,
        tags=["study sessions"],
    )
    def get(self, request, user_id: str):
        listing = services.sessions_list(
            caller=request.user, user_id=user_id, **validated(CursorQuery, request.query_params)
        )
        return Response(
            {
                "user_id": user_id,
                "study_sessions": SessionOutput(listing.items, many=True).data,
                "next_cursor": listing.next_cursor,
            }
        )


class SessionDetailView(APIView):
    @extend_schema(
        operation_id="study_sessions_retrieve",
        parameters=[CursorQuery],
        responses=SessionDetailOutput,
        tags=["study sessions"],
    )
    def get(self, request, user_id: str, session_id: str):
        detail = services.session_detail(
            caller=request.user, user_id=user_id, session_id=session_id, **validated(CursorQuery, request.query_params)
        )
        body = SessionOutput(detail.session).data
        body["reviews"] = ReviewItemOutput(detail.reviews.items, many=True).data
        body["next_cursor"] = detail.reviews.next_cursor
        return Response(body)


class ReviewView(APIView):
    @extend_schema(
        operation_id="study_sessions_review",
        request=ReviewInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ReviewOutput},
        tags=["study sessions"],
    )
    def post(self, request, session_id: str):
        data = validated(ReviewInput, request.data)
        key = idempotency_key(request.headers)
        review = services.review_record(caller=request.user, session_id=session_id, idempotency_key=key, **data)
        return Response(ReviewOutput(review).data, status=status.HTTP_201_CREATED)


class SessionEndView(APIView):
    @extend_schema(operation_id="study_sessions_end", request=None, responses=SessionOutput, tags=["study sessions"])
    def post(self, request, session_id: str):
        return Response(SessionOutput(services.session_end(caller=request.user, session_id=session_id)).data)


class ProgressView(APIView):
    @extend_schema(operation_id="progress_retrieve", responses=ProgressOutput, tags=["progress"])
    def get(self, request, user_id: str):
        return Response(ProgressOutput(services.progress_get(caller=request.user, user_id=user_id)).data)


class WordStatsView(APIView):
    @extend_schema(
        operation_id="progress_words_list", parameters=[CursorQuery], responses=WordStatListOutput, tags=["progress"]
    )
    def get(self, request, user_id: str):
        listing = services.word_stats_list(
            caller=request.user, user_id=user_id, **validated(CursorQuery, request.query_params)
        )
        return Response(
            {
                "user_id": user_id,
                "words": WordStatOutput(listing.items, many=True).data,
                "next_cursor": listing.next_cursor,
            }
        )


class HistoryResetView(APIView):
    permission_classes = [IsTeacher]

    @extend_schema(operation_id="progress_reset", request=None, responses={204: None}, tags=["progress"])
    def post(self, request, user_id: str):
        services.history_reset(caller=request.user, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
