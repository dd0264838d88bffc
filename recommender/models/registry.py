"""The model registry: every trained model version, its metrics and whether it is the champion."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Organization
from xmkt_site.models import BaseModel


class ModelVersion(BaseModel):
    """One trained model for (organization's consumers, target catalogue), its metrics and where its artefact lives."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        CHAMPION = "champion", _("Champion")
        RETIRED = "retired", _("Retired")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="model_versions")
    target = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="target_model_versions")
    training_run = models.ForeignKey(
        "campaigns.TaskRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    algorithm = models.CharField(_("algorithm"), max_length=64)
    label = models.CharField(_("label"), max_length=64)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)  # {"validation": {...}, "test": {...}}
    data_size = models.JSONField(_("data size"), default=dict, blank=True)  # users, items, interactions
    fit_seconds = models.FloatField(_("fit seconds"), default=0.0)
    artifact_path = models.CharField(_("artefact"), max_length=300, blank=True, default="")  # under MEDIA_ROOT
    popular_items = models.JSONField(_("popular items"), default=dict, blank=True)  # {"all": [ids], "groups": {}}
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CANDIDATE)
    is_champion = models.BooleanField(_("champion"), default=False)
    trained_at = models.DateTimeField(_("trained at"))
    data_until = models.DateTimeField(_("data until"), null=True, blank=True)  # latest event the model has seen

    class Meta:
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "target"], condition=Q(is_champion=True), name="modelversion_one_champion"
            ),
            models.CheckConstraint(
                condition=Q(is_champion=False) | Q(status="champion"), name="modelversion_champion_status"
            ),
        ]
        indexes = [models.Index(fields=["organization", "target", "is_champion"])]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")

    def __str__(self) -> str:
        return f"{self.label} #{self.pk}"

    def metric(self, split: str, name: str) -> float | None:
        value = (self.metrics or {}).get(split, {}).get(name)
        return None if value is None else float(value)
