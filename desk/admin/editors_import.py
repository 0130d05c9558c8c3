"""The admin page where an editor uploads a Markdown article: the same import as the command.

The view only collects the upload and calls ``article_import``; a refused file is shown again
with every problem and its line, exactly as the command reports them. The upload is read as the
command reads a file: at most the size limit plus one byte, as UTF-8 (``read_import_file``).
"""

from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from articles.interchange.plan import ArticleImportRefused
from articles.interchange.read import import_source_name, read_import_file
from articles.services import article_import
from editorial.exceptions import EditorialError


class ArticleImportForm(forms.Form):
    file = forms.FileField(
        label=_("Markdown file"),
        help_text=_("A .md file with YAML front matter (title, slug, references), as exported."),
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.markdown,text/markdown"}),
    )
    allow_missing_references = forms.BooleanField(
        label=_("Allow missing references"),
        required=False,
        help_text=_(
            "Create incomplete placeholders for citation numbers the file does not list; "
            "they block approval until an editor completes them."
        ),
    )
    update = forms.BooleanField(
        label=_("Update the existing article"),
        required=False,
        help_text=_(
            "If the slug exists, apply the file's changes to it; changed claims go back to "
            "pending review."
        ),
    )


def article_import_view(model_admin, request):
    if not request.user.has_perm("articles.add_article"):
        raise PermissionDenied
    form = ArticleImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        source_name = import_source_name(upload.name)
        try:
            result = article_import(
                source_text=read_import_file(upload, source_name=source_name),
                actor=request.user,
                allow_missing_references=form.cleaned_data["allow_missing_references"],
                update=form.cleaned_data["update"],
                source_name=source_name,
            )
        except ArticleImportRefused as refused:
            problems = refused.problems
            model_admin.message_user(
                request,
                f"{source_name} was not imported: fix the {len(problems)} problem(s) below.",
                messages.ERROR,
            )
        except EditorialError as error:
            model_admin.message_user(request, error.message, messages.ERROR)
        else:
            return _report(model_admin, request, result, source_name)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Import an article from Markdown"),
        "form": form,
        "problems": problems,
    }
    return TemplateResponse(request, "admin/articles/article/import.html", context)


def _report(model_admin, request, result, source_name: str):
    for warning in result.warnings:
        model_admin.message_user(request, f"Warning: {warning}", messages.WARNING)
    article = result.article
    if result.created:
        summary = f"Imported “{article}” from {source_name}."
    elif result.changes:
        summary = f"Updated “{article}” from {source_name}: " + "; ".join(result.changes) + "."
    else:
        summary = f"“{article}” already matches {source_name}; nothing changed."
    model_admin.message_user(request, summary, messages.SUCCESS)
    return redirect(reverse("admin:articles_article_change", args=[article.pk]))


def article_import_urls(model_admin) -> list:
    """URLs to put before the admin's own, so “import/” is not read as an object id."""
    view = model_admin.admin_site.admin_view(partial(article_import_view, model_admin))
    return [path("import/", view, name="articles_article_import")]
