"""Admin pieces shared by the articles and reviewers apps."""


class ViewOnlyAdminMixin:
    """Shown to read, never added, changed or deleted on this page.

    For trails and ledgers that only services write (wordings, citations, decisions, reminders)
    and for lists whose rows change elsewhere (a reviewer's claims, an article's assignments):
    a direct admin edit would bypass the workflow rules and the audit (DESIGN §3 I3). Model
    admins and inlines alike: every hook accepts the ``obj`` that inlines pass.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
