from django.urls import path

from vocabulary import views

urlpatterns = [
    path("words", views.WordListView.as_view(), name="words"),
    path("words/upload", views.WordUploadView.as_view(), name="words-upload"),
    path("words/<str:word_id>", views.WordDetailView.as_view(), name="word"),
    path("groups", views.GroupListView.as_view(), name="groups"),
    path("groups/<str:group_id>", views.GroupDetailView.as_view(), name="group"),
    path("groups/<str:group_id>/words", views.GroupWordsView.as_view(), name="group-words"),
    path("groups/<str:group_id>/words/<str:word_id>", views.GroupWordView.as_view(), name="group-word"),
]
