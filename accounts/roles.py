"""Cognito groups and what they allow; the one place roles are decided."""

STUDENTS = "students"
TEACHERS = "teachers"
ADMINS = "admins"
GROUPS = (STUDENTS, TEACHERS, ADMINS)


def is_teacher(groups) -> bool:
    """Teachers manage vocabulary; admins may do everything teachers may."""
    return TEACHERS in groups or ADMINS in groups


def is_admin(groups) -> bool:
    return ADMINS in groups
