"""The desk's admin pages; each is wrapped by the site's ``admin_view`` (login, staff, CSRF)."""

from .governance import governance_urls
from .review import review_urls


def desk_urls(site) -> list:
    """URL patterns of the desk's pages under /admin/, for ``EditorialAdminSite.get_urls``."""
    return [*review_urls(site), *governance_urls(site)]
