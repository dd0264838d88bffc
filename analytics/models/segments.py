"""Who to target: segmentation runs, their segments and the consenting consumers in each."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Consumer, Organization


class SegmentRun(models.Model):
    """One segmentation of an organization: how k was chosen and what the features were."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="segment_runs")
    task_run = models.ForeignKey(
        "campaigns.TaskRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    k = models.PositiveSmallIntegerField(_("number of segments"))
    silhouette = models.FloatField(_("silhouette"), null=True, blank=True)
    davies_bouldin = models.FloatField(_("Davies–Bouldin index"), null=True, blank=True)
    consumers = models.PositiveIntegerField(_("consumers profiled"), default=0)
    consented = models.PositiveIntegerField(_("consumers with personalization consent"), default=0)
    k_scores = models.JSONField(_("scores per k"), default=list, blank=True)
    feature_report = models.JSONField(_("feature selection report"), default=list, blank=True)
    pca_sample = models.JSONField(_("2-D PCA sample"), default=dict, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_current=True), name="segment_run_one_current_per_org"
            ),
        ]
        verbose_name = _("segmentation run")
        verbose_name_plural = _("segmentation runs")

    def __str__(self) -> str:
        return f"segmentation #{self.pk} ({self.k} segments)"


class Segment(models.Model):
    """A behavioural segment of one run. `key` is the stable identity across runs (matched centroids)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="segments")
    run = models.ForeignKey(SegmentRun, on_delete=models.CASCADE, related_name="segments")
    key = models.PositiveIntegerField(_("segment number"))
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_zh = models.TextField(_("description (Chinese)"), blank=True, default="")
    description_en = models.TextField(_("description (English)"), blank=True, default="")
    size = models.PositiveIntegerField(_("consumers"), default=0)
    targetable_size = models.PositiveIntegerField(_("targetable consumers"), default=0)
    share = models.FloatField(_("share"), default=0.0)
    centroid = models.JSONField(_("centroid"), default=dict, blank=True)
    median = models.JSONField(_("median"), default=dict, blank=True)
    distinguishing = models.JSONField(_("distinguishing features"), default=list, blank=True)
    kpis = models.JSONField(_("KPIs"), default=dict, blank=True)
    matched_previous = models.BooleanField(_("matched a previous segment"), default=False)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="segment_unique_key_per_run")]
        indexes = [models.Index(fields=["organization", "is_current"])]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return f"{self.key}: {self.name_en}"

    @property
    def tag_key(self) -> str:
        """The personal-tag key a consumer deletes to leave this segment (campaigns.PersonalTagDeletion.key)."""
        return str(self.key)


class SegmentMembership(models.Model):
    """A consumer targeted through a segment: only consumers with personalization consent get a row."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    consumer = models.ForeignKey(Consumer, on_delete=models.CASCADE, related_name="segment_memberships")
    distance = models.FloatField(_("distance to centroid"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "consumer"], name="segment_membership_unique"),
        ]
        verbose_name = _("segment membership")
        verbose_name_plural = _("segment memberships")

    def __str__(self) -> str:
        return f"consumer {self.consumer_id} in segment {self.segment_id}"
