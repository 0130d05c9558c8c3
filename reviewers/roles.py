"""The roles of docs/domain.md#roles as groups with permissions, so a fresh install works without
clicking."""

from django.apps import apps as global_apps

EDITORS = "Editors"
BOARD = "Medical Advisory Board"
APPROVERS = "Board approvers"

_CONTENT_MODELS = ("article", "section", "claim", "wording", "reference", "citation")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: [
        *(
            f"articles.{verb}_{model}"
            for model in _CONTENT_MODELS
            for verb in ("view", "add", "change", "delete")
        ),
        "articles.start_review",
        "articles.publish_article",
        "articles.view_governance",
        "articles.view_claimfeedback",
        "articles.change_claimfeedback",
        "reviewers.view_reviewerprofile",
        "reviewers.view_reviewassignment",
        "reviewers.add_reviewassignment",
        "reviewers.change_reviewassignment",
        "reviewers.view_claimdecision",
        "reviewers.view_reminder",
        "articles.view_edgepurge",
        "reviewers.view_declarationofinterest",
    ],
    BOARD: [
        *(f"articles.view_{model}" for model in _CONTENT_MODELS),
        "reviewers.view_reviewerprofile",
        "reviewers.view_reviewassignment",
        "reviewers.view_claimdecision",
        "reviewers.add_claimdecision",
        "reviewers.view_declarationofinterest",
        "reviewers.add_declarationofinterest",
        "reviewers.change_declarationofinterest",
    ],
    APPROVERS: [
        "articles.view_article",
        "articles.approve_article",
        "reviewers.view_reviewassignment",
    ],
}


def ensure_roles(apps=global_apps, *, using="default") -> list[str]:
    """Create or complete the role groups; idempotent. Returns the names of groups created.

    Run from a data migration, it grants the permissions of the models that exist at that
    point of the migration history; a later migration runs it again for the newer ones.
    """
    from django.contrib.auth.management import create_permissions

    for label in ("articles", "reviewers"):
        app_config = apps.get_app_config(label)
        # Historical app configs in migrations carry no models module; permissions need one.
        stub_models_module = getattr(app_config, "models_module", None) is None
        if stub_models_module:
            app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps, using=using)
        if stub_models_module:
            app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    created = []
    for name, codenames in ROLE_PERMISSIONS.items():
        group, was_created = group_model.objects.using(using).get_or_create(name=name)
        if was_created:
            created.append(name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions = permission_model.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            )
            if apps is global_apps:
                permissions = [permissions.get()]
            group.permissions.add(*permissions)
    return created
