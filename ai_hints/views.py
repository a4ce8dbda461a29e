"""AI hints and recommendations: parse, call one service, shape the answer."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ai_hints import services
from ai_hints.serializers import HintInput, HintOutput, RecommendationOutput, RecommendationQuery, RecommendationsOutput
from langportal.api.parsing import validated
from langportal.api.schema import responses


class GenerateHintView(APIView):
    @extend_schema(
        operation_id="ai_generate_hint",
        request=HintInput,
        responses=responses({200: HintOutput}, 400, 429),
        tags=["ai"],
        examples=[
            OpenApiExample("A greeting", value={"word": "こんにちは", "context": "Basic Greetings"}, request_only=True),
            OpenApiExample(
                "Its hint",
                response_only=True,
                value={
                    "word": "こんにちは",
                    "romaji": "konnichiwa",
                    "english": "hello",
                    "ai_hint": "A common Japanese greeting used during the day.",
                    "source": "bedrock",
                    "model": "mistral.mistral-7b-instruct-v0:2",
                    "cached": False,
                },
            ),
        ],
    )
    def post(self, request):
        hint = services.hint_generate(user_id=request.user.sub, **validated(HintInput, request.data))
        return Response(HintOutput(hint).data)


class RecommendationsView(APIView):
    @extend_schema(
        operation_id="recommendations_list",
        parameters=[RecommendationQuery],
        responses=responses({200: RecommendationsOutput}, 400, 403, 404),
        tags=["ai"],
    )
    def get(self, request, user_id: str):
        query = validated(RecommendationQuery, request.query_params)
        picks = services.recommendations(caller=request.user, user_id=user_id, limit=query["limit"])
        return Response({"user_id": user_id, "recommendations": RecommendationOutput(picks, many=True).data})
