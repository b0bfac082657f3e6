from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination


class PracticePagination(PageNumberPagination):
    """?page=N and ?page_size=N (at most 100). A page_size that is not a positive number falls
    back to the default; a page that does not exist is a 404 with a message saying so."""

    page_size_query_param = "page_size"
    page_size_query_description = _("Number of practices on a page, at most 100.")
    max_page_size = 100
    invalid_page_message = _("Invalid page “{page_number}”: {message}")
