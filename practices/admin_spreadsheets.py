"""Spreadsheet import and export in the practice admin, through django-import-export.

The library gives the admin its import and export buttons, pages, URLs, export action and
permission checks. The reading and writing are this project's own (practices.spreadsheets):
the library reads a whole upload into memory without size or zip-bomb limits, imports row by
row, and its formula escaping loses text. So:

- Import: upload → stored as a PracticeImport → checked (a dry run: new, updated and
  unchanged rows with field-level differences, every error with its row and column) →
  confirmed → written in one transaction. Small files are checked and written within the
  request; larger ones by background tasks while the page shows their progress.
- Export (the change list's export button, and the "export selected" action): the import
  template's columns as XLSX or CSV, formula-safe.
"""

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from import_export.resources import ModelResource

from .models import Practice, PracticeImport
from .spreadsheets import jobs
from .spreadsheets.export import practice_rows, write_csv, write_xlsx
from .spreadsheets.reading import HEADINGS, SUPPORTED_EXTENSIONS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PracticeResource(ModelResource):
    """Names the practice resource on the library's pages. Rows are read and written by
    practices.spreadsheets, under the import template's headings."""

    class Meta:
        model = Practice
        fields = ()

    @classmethod
    def get_display_name(cls):
        return str(Practice._meta.verbose_name_plural).capitalize()


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f}".replace(".0", "")


class PracticeImportForm(forms.Form):
    import_file = forms.FileField(
        label=gettext_lazy("File to import"),
        help_text=gettext_lazy(
            "An Excel workbook (.xlsx) or a CSV file (.csv) with the import template's "
            "column headings."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    sheet = forms.CharField(
        label=gettext_lazy("Worksheet"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Leave empty to read the workbook's first worksheet."),
    )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        name = upload.name or ""
        if not name.lower().endswith(SUPPORTED_EXTENSIONS):
            raise forms.ValidationError(
                _(
                    "“%(file)s” is not an Excel workbook (.xlsx) or a CSV file (.csv). Save "
                    "the spreadsheet in one of these formats and upload it again."
                )
                % {"file": name}
            )
        limit = settings.PRACTICE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; at most %(limit)s MB can be imported at a time. "
                    "Split it into smaller files."
                )
                % {"size": _megabytes(upload.size), "limit": _megabytes(limit)}
            )
        if not upload.size:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class PracticeSpreadsheetMixin(ImportMixin, ExportActionMixin):
    """Import and export for PracticeAdmin (see the module docstring)."""

    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_template_name = "admin/practices/practice/import.html"
    import_job_template_name = "admin/practices/practice/import_job.html"
    resource_classes = [PracticeResource]
    import_formats = [XLSX, CSV]
    export_formats = [XLSX, CSV]
    export_form_class = ExportForm

    # --- URLs -----------------------------------------------------------------------------

    def get_urls(self):
        info = self.get_model_info()
        own = [
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            path(
                "import/<int:pk>/",
                self.admin_site.admin_view(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
            path(
                "import/<int:pk>/apply/",
                self.admin_site.admin_view(self.apply_import_view),
                name="{}_{}_import_apply".format(*info),
            ),
            path(
                "import/<int:pk>/discard/",
                self.admin_site.admin_view(self.discard_import_view),
                name="{}_{}_import_discard".format(*info),
            ),
        ]
        return own + super().get_urls()

    def _url(self, name, *args):
        info = self.get_model_info()
        return reverse(
            "admin:{}_{}_{}".format(*info, name), args=args, current_app=self.admin_site.name
        )

    # --- Import ---------------------------------------------------------------------------

    def _check_import_permission(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied

    def _context(self, request, **extra):
        context = self.admin_site.each_context(request)
        context.update(
            opts=self.model._meta,
            headings=list(HEADINGS.values()),
            template_url=self._url("import_template"),
            import_url=self._url("import"),
            **extra,
        )
        request.current_app = self.admin_site.name
        return context

    def import_action(self, request, **kwargs):
        self._check_import_permission(request)
        form = PracticeImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            content = b"".join(upload.chunks())
            job = PracticeImport.objects.create(
                created_by=request.user,
                filename=upload.name,
                sheet=form.cleaned_data["sheet"].strip(),
                content=content,
                size=len(content),
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
            if self._in_request(job):
                jobs.check(job)
            else:
                from .tasks import check_practice_import

                check_practice_import.enqueue(job.pk)
            return HttpResponseRedirect(self._url("import_job", job.pk))
        recent = PracticeImport.objects.filter(created_by=request.user).defer("content")[:10]
        context = self._context(
            request,
            title=_("Import practices"),
            form=form,
            recent_imports=recent,
            max_megabytes=_megabytes(settings.PRACTICE_IMPORT_MAX_BYTES),
        )
        return TemplateResponse(request, [self.import_template_name], context)

    @staticmethod
    def _in_request(job):
        return job.size <= settings.PRACTICE_IMPORT_INLINE_BYTES

    def _job(self, request, pk):
        """The user's own import (superusers see everyone's); anybody else's is not found."""
        self._check_import_permission(request)
        queryset = PracticeImport.objects.defer("content")
        if not request.user.is_superuser:
            queryset = queryset.filter(created_by=request.user)
        return get_object_or_404(queryset, pk=pk)

    def import_job_view(self, request, pk):
        job = self._job(request, pk)
        preview = job.preview or {}
        context = self._context(
            request,
            title=_("Import of %(file)s") % {"file": job.filename},
            job=job,
            preview=preview,
            counts=preview.get("counts", {}),
            applied=preview.get("applied"),
            changelist_url=self._url("changelist"),
            refresh=job.is_running and not job.is_stalled,
        )
        return TemplateResponse(request, [self.import_job_template_name], context)

    @method_decorator(require_POST)
    def apply_import_view(self, request, pk):
        job = self._job(request, pk)
        if not jobs.start_applying(job):
            messages.warning(request, _("This import is not waiting for confirmation."))
            return HttpResponseRedirect(self._url("import_job", job.pk))
        if self._in_request(job):
            job = PracticeImport.objects.get(pk=job.pk)
            jobs.apply(job)
            if job.status == PracticeImport.Status.APPLIED:
                applied = job.preview["applied"]
                messages.success(
                    request,
                    _(
                        "Import finished: %(created)d new, %(updated)d updated and "
                        "%(unchanged)d unchanged practices."
                    )
                    % applied,
                )
        else:
            from .tasks import apply_practice_import

            apply_practice_import.enqueue(job.pk)
        return HttpResponseRedirect(self._url("import_job", job.pk))

    @method_decorator(require_POST)
    def discard_import_view(self, request, pk):
        job = self._job(request, pk)
        if job.is_running and not job.is_stalled:
            messages.warning(request, _("The import is still running; it cannot be discarded."))
            return HttpResponseRedirect(self._url("import_job", job.pk))
        job.delete()
        messages.info(request, _("The import of %(file)s was discarded.") % {"file": job.filename})
        return HttpResponseRedirect(self._url("import"))

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        # The library's confirmation step; confirmation here goes through apply_import_view.
        raise Http404

    def import_template_view(self, request):
        if not (self.has_import_permission(request) or self.has_export_permission(request)):
            raise PermissionDenied
        buffer = io.BytesIO()
        write_xlsx([], buffer, template=True)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="kaytannot-tuontipohja.xlsx"'
        return response

    # --- Export ---------------------------------------------------------------------------

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        rows = practice_rows(queryset)
        buffer = io.BytesIO()
        if isinstance(file_format, CSV):
            write_csv(rows, buffer)
        else:
            write_xlsx(rows, buffer)
        return buffer.getvalue()

    def get_valid_export_item_pks(self, request):
        # The selection posted from the change list may name only practices the user can
        # see in it.
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_export_filename(self, request, queryset, file_format):
        date = timezone.localdate().isoformat()
        return f"kaytannot-{date}.{file_format.get_extension()}"

    def init_request_context_data(self, request, form):
        context = super().init_request_context_data(request, form)
        context["fields_list"] = [(PracticeResource.get_display_name(), list(HEADINGS.values()))]
        return context
