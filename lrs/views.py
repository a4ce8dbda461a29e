"""The learning record store API: parse, call one service, shape the answer."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsTeacher
from langportal.api.parsing import idempotency, validated
from langportal.api.schema import IDEMPOTENCY_KEY, responses
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
)

SESSIONS_EXAMPLE = OpenApiExample(
    "A student's sessions",
    response_only=True,
    value={
        "user_id": "abc123",
        "study_sessions": [
            {
                "id": "789",
                "group_name": "Basic Greetings",
                "start_time": "2025-02-08T17:20:23-05:00",
                "end_time": "2025-02-08T17:30:23-05:00",
                "review_items_count": 15,
                "success_rate": 80.0,
            }
        ],
        "next_cursor": None,
    },
)
REVIEW_EXAMPLE = OpenApiExample(
    "A logged answer",
    response_only=True,
    status_codes=["201"],
    value={"success": True, "session_id": "789", "word_id": "1", "correct": True},
)


class SessionStartView(APIView):
    @extend_schema(
        operation_id="study_sessions_create",
        request=SessionStartInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({201: SessionOutput}, 400, 404, 409),
        tags=["study sessions"],
    )
    def post(self, request):
        data = validated(SessionStartInput, request.data)
        once = idempotency(request, "study_sessions_create", **data)
        session = services.session_start(caller=request.user, idempotency=once, **data)
        return Response(SessionOutput(session).data, status=status.HTTP_201_CREATED)


class SessionListView(APIView):
    @extend_schema(
        operation_id="study_sessions_list",
        parameters=[CursorQuery],
        responses=responses({200: SessionListOutput}, 400, 403, 404),
        examples=[SESSIONS_EXAMPLE],
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
        responses=responses({200: SessionDetailOutput}, 400, 403, 404),
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
        responses=responses({201: ReviewOutput}, 400, 404, 409),
        examples=[REVIEW_EXAMPLE],
        tags=["study sessions"],
    )
    def post(self, request, session_id: str):
        data = validated(ReviewInput, request.data)
        once = idempotency(request, "study_sessions_review", session_id=session_id, **data)
        review = services.review_record(caller=request.user, session_id=session_id, idempotency=once, **data)
        return Response(ReviewOutput(review).data, status=status.HTTP_201_CREATED)


class SessionEndView(APIView):
    @extend_schema(
        operation_id="study_sessions_end",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({200: SessionOutput}, 400, 404, 409),
        tags=["study sessions"],
    )
    def post(self, request, session_id: str):
        once = idempotency(request, "study_sessions_end", session_id=session_id)
        session = services.session_end(caller=request.user, session_id=session_id, idempotency=once)
        return Response(SessionOutput(session).data)


class ProgressView(APIView):
    @extend_schema(
        operation_id="progress_retrieve", responses=responses({200: ProgressOutput}, 403, 404), tags=["progress"]
    )
    def get(self, request, user_id: str):
        return Response(ProgressOutput(services.progress_get(caller=request.user, user_id=user_id)).data)


class WordStatsView(APIView):
    @extend_schema(
        operation_id="progress_words_list",
        parameters=[CursorQuery],
        responses=responses({200: WordStatListOutput}, 400, 403, 404),
        tags=["progress"],
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

    @extend_schema(
        operation_id="progress_reset", request=None, responses=responses({204: None}, 403, 404), tags=["progress"]
    )
    def post(self, request, user_id: str):
        services.history_reset(caller=request.user, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
