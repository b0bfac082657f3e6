"""Background tasks, run by `manage.py db_worker`."""

from django.tasks import task

from practices.models import PracticeImport
from practices.spreadsheets import jobs


@task()
def check_practice_import(import_id):
    job = PracticeImport.objects.filter(pk=import_id, status=PracticeImport.Status.CHECKING).first()
    if job is not None:
        jobs.check(job)


@task()
def apply_practice_import(import_id):
    job = PracticeImport.objects.filter(pk=import_id, status=PracticeImport.Status.APPLYING).first()
    if job is not None:
        jobs.apply(job)
