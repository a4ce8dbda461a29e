"""Jobs in the Django admin: the Jobs page lists every kind (imports, exports, erasures)
with a live progress bar; a job's page shows its progress, counts and message, offers the
rows it left out as a CSV and its output file through a short-lived link, and sends an
unfinished job to the queue again. The pages start no job: each kind's own admin page
does, then shows the job here."""

from __future__ import annotations

import itertools

from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from langportal.ids import is_ulid
from langportal.jobs import services as jobs
from langportal.jobs.kinds import work_for
from langportal.spreadsheets import csv_download, spreadsheet_text

PER_PAGE = 50


def _context(request, **values) -> dict:
    return {**admin.site.each_context(request), **values}


def jobs_list(request):
    return TemplateResponse(
        request,
        "admin/jobs/job_list.html",
        _context(request, title="Jobs", jobs=[_shown(job) for job in jobs.jobs_recent(limit=PER_PAGE)]),
    )


def job_page(request, job_id: str):
    job = _job_or_404(job_id)
    if request.method == "POST" and request.POST.get("action") == "queue":
        jobs.job_queue_again(job_id=job.id)
        messages.success(request, "The job was sent to the queue again.")
        return HttpResponseRedirect(request.path)
    shown = _shown(job)
    return TemplateResponse(request, "admin/jobs/job.html", _context(request, title=shown["title"], job=shown))


def job_progress(request, job_id: str):
    """The job as its page's progress bar reads it, every second until it ends."""
    return JsonResponse(_shown(_job_or_404(job_id)))


def job_errors(request, job_id: str):
    """The rows a job left out, with why, as a CSV safe to open in a spreadsheet (each
    row as JSON starts with "{", and a message never like a formula; quoted all the same)."""
    job = _job_or_404(job_id)
    rows = (
        [error.row, *map(spreadsheet_text, (error.message, error.fields))] for error in jobs.job_errors(job_id=job.id)
    )
    return csv_download(f"job-{job.id}-errors.csv", itertools.chain([["row", "error", "entry"]], rows))


def job_download(request, job_id: str):
    """The job's output file, through a link that works for a few minutes only."""
    job = _job_or_404(job_id)
    if not job.output_key:
        raise Http404("This job has no file to download.")
    return HttpResponseRedirect(jobs.job_output_url(job))


def _job_or_404(job_id: str):
    if not is_ulid(job_id):
        raise Http404("No such job.")
    return jobs.job_get(job_id=job_id)


def _shown(job) -> dict:
    counts = dict(sorted((name, count) for name, count in job.counts.items() if count))
    return {
        "id": job.id,
        "kind": job.kind,
        "title": work_for(job.kind).title or job.kind,
        "name": job.options.get("name", ""),
        "status": job.status,
        "finished": job.status not in jobs.UNFINISHED,
        "done": job.done,
        "total": job.total,
        "counts": counts,
        "rejected": counts.get(jobs.REJECTED, 0),
        "message": job.message,
        "actor": job.actor,
        "created_at": job.created_at.isoformat(),
        "has_output": bool(job.output_key),
        "url": reverse("admin:job", args=[job.id]),
    }


def urls(site) -> list:
    return [
        path("jobs/", site.admin_view(jobs_list), name="jobs"),
        path("jobs/<str:job_id>/", site.admin_view(job_page), name="job"),
        path("jobs/<str:job_id>/progress/", site.admin_view(job_progress), name="job_progress"),
        path("jobs/<str:job_id>/errors.csv", site.admin_view(job_errors), name="job_errors"),
        path("jobs/<str:job_id>/download/", site.admin_view(job_download), name="job_download"),
    ]
