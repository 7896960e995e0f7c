"""Reading a request the spec's way: the raw body and the raw query string, handed to tasktracker."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from tasktracker.domain import ListQuery
from tasktracker.errors import PayloadTooLarge
from tasktracker.http import decode_json_body, read_capped_body
from tasktracker.validation import parse_list_query


# region: request-parsing
def request_body(request: HttpRequest) -> bytes:
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        # Django's WSGIRequest reads as many bytes as Content-Length says, and a chunked request
        # has none: request.body would be empty. gunicorn decodes the chunks in wsgi.input, which
        # ends after the last one.
        return read_capped_body(request.META["wsgi.input"], content_length=None)
    try:
        return request.body
    except RequestDataTooBig:
        raise PayloadTooLarge() from None


def request_document(request: HttpRequest) -> object:
    """The decoded JSON body, checked in the spec's order (2.1): size, media type, syntax."""
    return decode_json_body(request.headers.get("Content-Type"), request_body(request))


def list_query(request: HttpRequest) -> ListQuery:
    # The raw query string, not request.GET: the spec decodes it itself, and reports bytes that
    # are not UTF-8 where Django would replace them silently.
    return parse_list_query(request.META.get("QUERY_STRING", ""))


# endregion
