"""The API's search and ordering backends: DRF's, minus the fields the requester may not read.

A search or an ordering on a field answers questions about it even when the field itself is not
shown: ``?search=alice@`` finds the one trainee whose e-mail starts so, ``?ordering=email`` sorts
by it. A view that hides fields from some users names them with ``hidden_lookups(request)`` (the
last part of a lookup: ``"email"`` covers ``participant__email``); these backends then neither
search nor order by them for that request. Nothing here knows who may read what: the view asks
its app's visibility rules.
"""

from collections.abc import Iterable

from rest_framework.filters import OrderingFilter, SearchFilter


def _hidden(view, request) -> frozenset[str]:
    decide = getattr(view, "hidden_lookups", None)
    if decide is None or request is None:
        return frozenset()
    return frozenset(decide(request))


def _field_name(lookup: str) -> str:
    """``"^participant__email"`` → ``"email"`` (search prefixes and relations dropped)."""
    return lookup.lstrip("^=@$-").split("__")[-1]


def _visible(lookups: Iterable[str], hidden: frozenset[str]) -> list[str]:
    return [lookup for lookup in lookups if _field_name(lookup) not in hidden]


class VisibleFieldsSearchFilter(SearchFilter):
    def get_search_fields(self, view, request):
        fields = super().get_search_fields(view, request)
        hidden = _hidden(view, request)
        if not fields or not hidden:
            return fields
        return _visible(fields, hidden)


class VisibleFieldsOrderingFilter(OrderingFilter):
    def get_valid_fields(self, queryset, view, context=None):
        fields = super().get_valid_fields(queryset, view, context)
        hidden = _hidden(view, (context or {}).get("request"))
        if not hidden:
            return fields
        return [field for field in fields if _field_name(field[0]) not in hidden]
