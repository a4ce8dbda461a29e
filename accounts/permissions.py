from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsTeacher(BasePermission):
    message = "Only teachers may do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_teacher)


class IsTeacherOrReadOnly(IsTeacher):
    """Everyone signed in may read; only teachers may change."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return super().has_permission(request, view)
