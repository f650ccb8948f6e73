"""HTTPS-only headers and cookies. Production imports them; the header and cookie crawler
(tests/security/test_headers_crawl.py) runs every URL of the site under exactly these values.

Local development over plain http keeps Django's cookie names: browsers refuse a `__Host-` cookie
that is not Secure.
"""

SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
# `__Host-`: the browser accepts the cookie only if Secure, with Path=/ and no Domain, so neither a
# sibling subdomain nor a plain-http page can plant or overwrite it (ASVS 3.3.1).
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
LANGUAGE_COOKIE_NAME = "__Host-language"
