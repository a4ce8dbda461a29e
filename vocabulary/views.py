"""The vocabulary API: parse, call one service, shape the answer."""

import hashlib

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsTeacher, IsTeacherOrReadOnly
from langportal.api.pagination import paginated
from langportal.api.parsing import idempotency, validated
from langportal.api.schema import IDEMPOTENCY_KEY, responses
from langportal.api.uploads import SizeLimitUploadHandler, check_content_length
from lrs import services as lrs_services
from vocabulary import services
from vocabulary.serializers import (
    GroupInput,
    GroupOutput,
    GroupPage,
    GroupQuery,
    GroupWordsInput,
    UploadInput,
    UploadOutput,
    WordInput,
    WordOutput,
    WordPage,
    WordQuery,
)

WORDS_EXAMPLE = OpenApiExample(
    "A page of words",
    response_only=True,
    value={
        "items": [
            {
                "id": "1",
                "japanese": "こんにちは",
                "romaji": "konnichiwa",
                "english": "hello",
                "media_url": "https://s3.amazonaws.com/langportal/words/1.mp3",
            }
        ],
        "pagination": {"current_page": 1, "total_pages": 5, "total_items": 100, "items_per_page": 20},
    },
)
UPLOAD_EXAMPLE = OpenApiExample(
    "An uploaded file",
    response_only=True,
    status_codes=["201"],
    value={"success": True, "file_url": "https://s3.amazonaws.com/langportal/words/123.mp3"},
)


def _page_arguments(query: dict) -> dict:
    return {"page": query["page"], "per_page": query["per_page"], "descending": query["order"] == "desc"}


class WordListView(APIView):
    permission_classes = [IsTeacherOrReadOnly]

    @extend_schema(
        operation_id="words_list",
        parameters=[WordQuery],
        responses=responses({200: WordPage}, 400, 404),
        tags=["words"],
        examples=[WORDS_EXAMPLE],
    )
    def get(self, request):
        query = validated(WordQuery, request.query_params)
        page = lrs_services.words_list_studied(
            user_id=request.user.sub, sort_by=query["sort_by"], group_id=query.get("group_id"), **_page_arguments(query)
        )
        return Response(paginated(page, WordOutput))

    @extend_schema(
        operation_id="words_create",
        request=WordInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({201: WordOutput}, 400, 403, 404, 409),
        tags=["words"],
    )
    def post(self, request):
        data = validated(WordInput, request.data)
        once = idempotency(request, "words_create", **data)
        word = services.word_create(actor=request.user.username, idempotency=once, **data)
        return Response(WordOutput(word).data, status=status.HTTP_201_CREATED)


class WordDetailView(APIView):
    permission_classes = [IsTeacherOrReadOnly]

    @extend_schema(operation_id="words_retrieve", responses=responses({200: WordOutput}, 404), tags=["words"])
    def get(self, request, word_id: str):
        word = services.word_get(word_id=word_id)
        studied = lrs_services.words_studied(user_id=request.user.sub, words=[word])
        return Response(WordOutput(studied[0]).data)

    @extend_schema(
        operation_id="words_update",
        request=WordInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({200: WordOutput}, 400, 403, 404, 409),
        tags=["words"],
    )
    def put(self, request, word_id: str):
        return self._update(request, word_id, "words_update", validated(WordInput, request.data))

    @extend_schema(
        operation_id="words_partial_update",
        request=WordInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({200: WordOutput}, 400, 403, 404, 409),
        tags=["words"],
    )
    def patch(self, request, word_id: str):
        return self._update(request, word_id, "words_partial_update", validated(WordInput, request.data, partial=True))

    def _update(self, request, word_id: str, operation: str, data: dict) -> Response:
        once = idempotency(request, operation, word_id=word_id, **data)
        word = services.word_update(word_id=word_id, actor=request.user.username, idempotency=once, **data)
        return Response(WordOutput(word).data)

    @extend_schema(
        operation_id="words_destroy",
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({204: None}, 400, 403, 404, 409),
        tags=["words"],
    )
    def delete(self, request, word_id: str):
        once = idempotency(request, "words_destroy", word_id=word_id)
        services.word_delete(word_id=word_id, actor=request.user.username, idempotency=once)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupListView(APIView):
    permission_classes = [IsTeacherOrReadOnly]

    @extend_schema(
        operation_id="groups_list",
        parameters=[GroupQuery],
        responses=responses({200: GroupPage}, 400, 404),
        tags=["groups"],
    )
    def get(self, request):
        page = services.groups_list(**_page_arguments(validated(GroupQuery, request.query_params)))
        return Response(paginated(page, GroupOutput))

    @extend_schema(
        operation_id="groups_create",
        request=GroupInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({201: GroupOutput}, 400, 403, 409),
        tags=["groups"],
    )
    def post(self, request):
        data = validated(GroupInput, request.data)
        once = idempotency(request, "groups_create", **data)
        group = services.group_create(actor=request.user.username, idempotency=once, **data)
        return Response(GroupOutput(group).data, status=status.HTTP_201_CREATED)


class GroupDetailView(APIView):
    permission_classes = [IsTeacherOrReadOnly]

    @extend_schema(operation_id="groups_retrieve", responses=responses({200: GroupOutput}, 404), tags=["groups"])
    def get(self, request, group_id: str):
        return Response(GroupOutput(services.group_get(group_id=group_id)).data)

    @extend_schema(
        operation_id="groups_rename",
        request=GroupInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({200: GroupOutput}, 400, 403, 404, 409),
        tags=["groups"],
    )
    def patch(self, request, group_id: str):
        data = validated(GroupInput, request.data)
        once = idempotency(request, "groups_rename", group_id=group_id, **data)
        group = services.group_rename(group_id=group_id, actor=request.user.username, idempotency=once, **data)
        return Response(GroupOutput(group).data)

    @extend_schema(
        operation_id="groups_destroy",
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({204: None}, 400, 403, 404, 409),
        tags=["groups"],
    )
    def delete(self, request, group_id: str):
        once = idempotency(request, "groups_destroy", group_id=group_id)
        services.group_delete(group_id=group_id, actor=request.user.username, idempotency=once)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupWordsView(APIView):
    permission_classes = [IsTeacherOrReadOnly]

    @extend_schema(
        operation_id="groups_words_list",
        parameters=[WordQuery],
        responses=responses({200: WordPage}, 400, 404),
        tags=["groups"],
    )
    def get(self, request, group_id: str):
        query = validated(WordQuery, request.query_params)
        page = lrs_services.words_list_studied(
            user_id=request.user.sub, sort_by=query["sort_by"], group_id=group_id, **_page_arguments(query)
        )
        return Response(paginated(page, WordOutput))

    @extend_schema(
        operation_id="groups_words_add",
        request=GroupWordsInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({200: GroupOutput}, 400, 403, 404, 409),
        tags=["groups"],
    )
    def post(self, request, group_id: str):
        data = validated(GroupWordsInput, request.data)
        once = idempotency(request, "groups_words_add", group_id=group_id, **data)
        group = services.group_add_words(group_id=group_id, actor=request.user.username, idempotency=once, **data)
        return Response(GroupOutput(group).data)


class GroupWordView(APIView):
    permission_classes = [IsTeacherOrReadOnly]

    @extend_schema(
        operation_id="groups_words_remove",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({200: GroupOutput}, 400, 403, 404, 409),
        tags=["groups"],
    )
    def delete(self, request, group_id: str, word_id: str):
        once = idempotency(request, "groups_words_remove", group_id=group_id, word_id=word_id)
        group = services.group_remove_words(
            group_id=group_id, word_ids=[word_id], actor=request.user.username, idempotency=once
        )
        return Response(GroupOutput(group).data)


class WordUploadView(APIView):
    permission_classes = [IsTeacher]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="words_upload",
        request={"multipart/form-data": UploadInput},
        parameters=[IDEMPOTENCY_KEY],
        responses=responses({201: UploadOutput}, 400, 403, 404, 409, 413, 415),
        tags=["words"],
        examples=[UPLOAD_EXAMPLE],
    )
    def post(self, request):
        limit = settings.MEDIA_MAX_UPLOAD_BYTES
        check_content_length(request.META, limit)
        request.upload_handlers.insert(0, SizeLimitUploadHandler(limit, request))
        data = validated(UploadInput, request.data)
        file = data["file"]
        once = idempotency(
            request, "words_upload", word_id=data["word_id"], sha256=_sha256(file), content_type=file.content_type
        )
        upload = services.media_upload(
            word_id=data["word_id"],
            file=file,
            declared_type=file.content_type,
            actor=request.user.username,
            idempotency=once,
        )
        return Response(UploadOutput(upload).data, status=status.HTTP_201_CREATED)


def _sha256(file) -> str:
    """What an upload holds, for telling a repeat from another upload under the same key."""
    digest = hashlib.file_digest(file, "sha256").hexdigest()
    file.seek(0)
    return digest
