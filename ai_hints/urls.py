from django.urls import path

from ai_hints import views

urlpatterns = [
    path("ai/generate_hint", views.GenerateHintView.as_view(), name="generate-hint"),
    path("recommendations/<str:user_id>", views.RecommendationsView.as_view(), name="recommendations"),
]
