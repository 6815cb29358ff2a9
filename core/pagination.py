"""Page-number pagination shared by every API list: ``{"count", "next", "previous", "results"}``.

Clients may ask for up to 200 rows per page with ``?page_size=``; larger values are clamped, not
refused, so a client asking for "everything" still gets a bounded, fixed-cost answer.
"""

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
