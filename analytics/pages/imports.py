"""The import page: a CSV of consumers, catalogue items or events into the signed-in user's own organization."""

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from analytics.services.imports import IMPORTERS, csv_upload_ingest, import_columns
from campaigns.selectors.ingests import KIND_LABELS, recent_ingests
from xmkt_site.errors import ApplicationError
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_LISTED_PROBLEMS = 200


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=list(KIND_LABELS.items()),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    file = forms.FileField(label=_("CSV file (UTF-8, header line first)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it into smaller files."))
        return upload


def _problems(error: ApplicationError) -> list[dict]:
    """Refused rows with the line of the file they start on (the header is line 1)."""
    return [
        {"line": row.get("line", row["index"] + 2), "field": row["field"], "message": row["message"]}
        for row in error.extra.get("rows", [])[:MAX_LISTED_PROBLEMS]
    ]


@role_required(Capability.VIEW_IMPORTS)
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload a CSV (import roles), read what arrived lately through the API and this page (every internal role)."""
    actor = request.actor
    may_import = actor.can(Capability.IMPORT_DATA)
    form = ImportForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind", "")})
    problems: list[dict] = []
    problem_count = 0
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied(_("Only administrators, campaign managers and partner users import data."))
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            try:
                result = csv_upload_ingest(
                    organization=actor.organization, kind=kind, upload=form.cleaned_data["file"], by=request.user
                )
            except ApplicationError as error:
                problems = _problems(error)
                problem_count = int(error.extra.get("error_count", len(problems)))
                if not problems:
                    form.add_error("file", error.message)
            else:
                messages.success(
                    request,
                    _(
                        "%(kind)s imported: %(created)s new, %(updated)s updated, %(duplicates)s already there"
                        " (%(received)s rows)."
                    )
                    % {"kind": KIND_LABELS[kind], **result.as_dict()},
                )
                if result.erased:
                    messages.info(
                        request,
                        _("%(erased)s rows named consumers erased at their request and were skipped.")
                        % {"erased": result.erased},
                    )
                return redirect("data-import")
    context = {
        "form": form,
        "may_import": may_import,
        "problems": problems,
        "problem_count": problem_count,
        # Lists, not dicts: a template reading `columns.items` would get the "items" key.
        "columns": [(kind, KIND_LABELS[kind], import_columns(kind)) for kind in IMPORTERS],
        "history": recent_ingests(organization=actor.organization),
    }
    return render(request, "analytics/imports/import.html", context)


@role_required(Capability.VIEW_IMPORTS)
def import_template_view(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty CSV with the header line of a kind, to fill in a spreadsheet."""
    if kind not in IMPORTERS:
        raise Http404
    buffer = io.StringIO()
    csv.writer(buffer).writerow([name for name, _required in import_columns(kind)])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="xmkt-{kind}-template.csv"'
    return response
