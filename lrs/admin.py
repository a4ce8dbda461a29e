"""Study statistics in the Django admin: a dashboard, the students, one student's page,
and exports of a student's or a group's review history (jobs)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from accounts import services as accounts
from langportal.charts import Bar, bar_chart
from langportal.errors import InvalidInput
from lrs import services
from lrs.jobs import erasure, history


def _context(request, **values) -> dict:
    return {**admin.site.each_context(request), **values}


def dashboard(request):
    board = services.dashboard()
    reviews_chart = bar_chart(
        [Bar(day.label[5:], day.reviews, f"{day.success_rate}% right") for day in board.days],
        title="Reviews per day, last 30 days",
    )
    groups_chart = bar_chart(
        [Bar(group.label, group.success_rate, f"{group.reviews} reviews") for group in board.groups],
        title="Success rate per group",
        unit="%",
        maximum=100,
    )
    return TemplateResponse(
        request,
        "admin/lrs/dashboard.html",
        _context(
            request,
            title="Study statistics",
            board=board,
            reviews_chart=reviews_chart,
            groups_chart=groups_chart,
            total_reviews=sum(day.reviews for day in board.days),
            export=HistoryExportForm(),
        ),
    )


def students(request):
    members, next_token = accounts.students_page(next_token=request.GET.get("next") or None)
    return TemplateResponse(
        request,
        "admin/lrs/students.html",
        _context(request, title="Students", members=members, next_token=next_token, active=services.students_active()),
    )


def student(request, user_id: str):
    report = services.student_report(caller=request.user, user_id=user_id)
    trend = bar_chart(
        [
            Bar(
                session.started_at.strftime("%m-%d"),
                session.success_rate,
                f"{session.review_items_count} reviews, {session.group_name}",
            )
            for session in report.sessions
        ],
        title="Success rate per session",
        unit="%",
        maximum=100,
    )
    return TemplateResponse(
        request,
        "admin/lrs/student.html",
        _context(
            request,
            title=f"Student {report.progress.user_id}",
            report=report,
            name=request.GET.get("name", ""),
            trend=trend,
            export=HistoryExportForm(),
        ),
    )


def student_reset(request, user_id: str):
    services.check_may_read(request.user, user_id)
    name = request.GET.get("name", "") or user_id
    if request.method == "POST":
        services.history_reset(caller=request.user, user_id=user_id)
        messages.success(request, f"The study history of {name} was reset.")
        return HttpResponseRedirect(reverse("admin:lrs_student", args=[user_id]))
    return TemplateResponse(
        request, "admin/lrs/student_reset.html", _context(request, title="Reset a student", user_id=user_id, name=name)
    )


def student_erase(request, user_id: str):
    """The dry run of erasing a student's data (what each kind counts), and its confirmation,
    which starts the job."""
    subject = services.erasure_subject(caller=request.user, user_id=user_id)
    name = subject.username or request.GET.get("name", "") or user_id
    if request.method == "POST":
        job = erasure.erasure_job_start(caller=request.user, user_id=user_id, actor=request.user.username)
        messages.success(request, f"Erasing all data of {name}: job {job.id} has started.")
        return HttpResponseRedirect(reverse("admin:job", args=[job.id]))
    counts = services.erasure_counts(services.erasure_plan(subject))
    return TemplateResponse(
        request,
        "admin/lrs/student_erase.html",
        _context(
            request,
            title="Erase a student's data",
            user_id=user_id,
            name=name,
            counts=[(services.KINDS[kind], count) for kind, count in counts.items()],
            total=sum(counts.values()),
        ),
    )


class HistoryExportForm(forms.Form):
    format = forms.ChoiceField(choices=list(history.FORMATS.items()), initial="csv")


def _history_export(request, **scope):
    """Start a history export job (its file is made in the background) and show its page."""
    form = HistoryExportForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("; ".join(f"{field}: {error}" for field, errors in form.errors.items() for error in errors))
    job = history.history_export_start(
        caller=request.user, format=form.cleaned_data["format"], actor=request.user.username, **scope
    )
    return HttpResponseRedirect(reverse("admin:job", args=[job.id]))


@require_POST
def student_history_export(request, user_id: str):
    return _history_export(request, user_id=user_id)


@require_POST
def group_history_export(request, group_id: str):
    return _history_export(request, group_id=group_id)


def urls(site) -> list:
    return [
        path("lrs/statistics/", site.admin_view(dashboard), name="lrs_dashboard"),
        path("lrs/students/", site.admin_view(students), name="lrs_students"),
        path("lrs/students/<str:user_id>/", site.admin_view(student), name="lrs_student"),
        path("lrs/students/<str:user_id>/reset/", site.admin_view(student_reset), name="lrs_student_reset"),
        path("lrs/students/<str:user_id>/erase/", site.admin_view(student_erase), name="lrs_student_erase"),
        path(
            "lrs/students/<str:user_id>/export/",
            site.admin_view(student_history_export),
            name="lrs_student_history_export",
        ),
        path(
            "lrs/groups/<str:group_id>/export/", site.admin_view(group_history_export), name="lrs_group_history_export"
        ),
    ]
