from django.urls import path

from lrs import views

urlpatterns = [
    path("study_sessions", views.SessionStartView.as_view(), name="study-sessions"),
    path("study_sessions/<str:session_id>/review", views.ReviewView.as_view(), name="study-session-review"),
    path("study_sessions/<str:session_id>/end", views.SessionEndView.as_view(), name="study-session-end"),
    path("study_sessions/<str:user_id>", views.SessionListView.as_view(), name="study-sessions-of-user"),
    path("study_sessions/<str:user_id>/<str:session_id>", views.SessionDetailView.as_view(), name="study-session"),
    path("progress/<str:user_id>", views.ProgressView.as_view(), name="progress"),
    path("progress/<str:user_id>/words", views.WordStatsView.as_view(), name="progress-words"),
    path("progress/<str:user_id>/reset", views.HistoryResetView.as_view(), name="progress-reset"),
]
