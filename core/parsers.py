"""The API's JSON parser. Its own module, importing only DRF's parsers and exceptions, because
DRF's settings import it while ``rest_framework.views`` is still loading."""

from rest_framework import exceptions
from rest_framework.parsers import JSONParser as DRFJSONParser


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, answering 400 instead of 500 for a body nested deeper than Python's
    parser recurses (100,000 ``[``): what it cannot read is bad input, like any other."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError("The JSON body is nested too deeply.") from error
