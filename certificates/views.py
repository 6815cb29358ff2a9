"""The public verification page: anyone with a certificate's code (or its QR code) lands here."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import codes, verification


@never_cache
def verify_page(request, code: str):
    """Always fresh (``never_cache``): a revocation must show at once."""
    if not verification.lookup_allowed(request):
        context = {"error": _("Too many verification requests. Please wait a minute and retry.")}
        return render(request, "certificates/verify.html", context, status=429)
    try:
        certificate = verification.find(code)
    except codes.MistypedCode:
        context = {
            "code": code,
            "error": _("This code has a typing error. Check it against the certificate."),
        }
        return render(request, "certificates/verify.html", context, status=400)
    except ValueError:
        certificate = None
    if certificate is None:
        context = {"code": code, "error": _("No certificate has this verification code.")}
        return render(request, "certificates/verify.html", context, status=404)
    context = {"code": code, "certificate": verification.public_view(certificate)}
    return render(request, "certificates/verify.html", context)


def verify_form(request):
    """A box to type a code into, for people holding a paper certificate."""
    code = (request.GET.get("code") or "").strip()
    if code:
        return verify_page(request, code)
    return render(request, "certificates/verify.html", {})
