"""A training run's progress, result and refusal are stored in the worker's language and read in the reader's."""

import re

import pytest
from django.utils import translation

from campaigns.models import Consumer, Role, TaskRun
from campaigns.services.task_runs import TaskRunTracker, task_run_create, task_run_tracking
from recommender.services.pipeline import pipeline_run
from tests.builders.recommender import grant, make_world
from tests.factories import AgreementFactory, CatalogItemFactory, MembershipFactory, OrganizationFactory
from xmkt_site.errors import ApplicationError
from xmkt_site.stored_messages import translated_stored_message

TRAIN_TASK = "recommender.tasks.training.train_recommender"


class RecordingTracker(TaskRunTracker):
    """The real tracker (it writes the run's progress), keeping each message it was given."""

    def __init__(self, run: TaskRun) -> None:
        super().__init__(run)
        self.messages: list[str] = []

    def progress(self, progress: int, message: str = "") -> None:
        self.messages.append(message)
        super().progress(progress, message)


def train_as_a_job(organization, target=None) -> TaskRun:
    """Run the pipeline as the worker does (a tracked TaskRun), with the worker speaking Chinese."""
    run = task_run_create(task_name=TRAIN_TASK, organization=organization)
    with translation.override("zh-hans"), task_run_tracking(task_run_id=run.pk) as tracker:
        tracker.result = pipeline_run(organization=organization, target=target or organization, tracker=tracker)
    run.refresh_from_db()
    return run


def jobs_page(client, organization, language: str) -> str:
    client.force_login(MembershipFactory(organization=organization, role=Role.ANALYST).user)
    return client.get("/jobs/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_finished_training_names_its_champion_on_the_jobs_page_in_english_and_chinese(client, world):
    # given a training that ran on a worker speaking Chinese
    platform, _items, _people = world
    run = train_as_a_job(platform)
    champion = run.result["champion_version_id"]
    # then the stored result is Chinese, and the Jobs page shows it in the reader's language
    assert run.status == TaskRun.Status.SUCCEEDED
    assert f"#{champion} 已晋升" in run.message
    english = jobs_page(client, platform, "en")
    chinese = jobs_page(client, platform, "zh-hans")
    assert re.search(rf"Champion \S+ #{champion} promoted; [\d,]+ recommendations precomputed", english)
    assert re.search(rf"冠军模型 \S+ #{champion} 已晋升；已预计算 [\d,]+ 条推荐", chinese)


def test_every_progress_message_of_a_training_reads_in_english_and_chinese(world):
    # given a training whose tracker keeps each progress message, run in Chinese
    platform, _items, _people = world
    run = task_run_create(task_name=TRAIN_TASK, organization=platform)
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRun.Status.RUNNING)
    tracker = RecordingTracker(run)
    with translation.override("zh-hans"):
        pipeline_run(organization=platform, target=platform, tracker=tracker)
    # then every stored message is a catalogue message: English on English pages, Chinese on Chinese ones
    assert "正在构建训练集" in tracker.messages and "正在晋升冠军模型" in tracker.messages
    with translation.override("en"):
        english = [translated_stored_message(message) for message in tracker.messages]
    assert english[0] == "Building the training set"
    assert "Evaluating candidate ease-l2-300" in english
    assert english[-3:] == [
        "Fitting the winner on all data",
        "Precomputing recommendation lists",
        "Promoting the champion",
    ]
    assert not any(re.search(r"[\u4e00-\u9fff]", message) for message in english)


def test_a_training_without_consented_consumers_says_to_record_consents(client, db):
    # given a platform with events whose consumers never gave personalization consent
    platform = OrganizationFactory(slug="quiet", name="Quiet Academy")
    make_world(platform, consumers=6, consent=False)
    # when it trains
    run = train_as_a_job(platform)
    # then nothing was trained, and the job says why and what to do, in both languages
    assert run.result["trained"] is False and run.result["nothing_to_train"] == "no_consent"
    assert (
        "Nothing to train: no consumer of Quiet Academy has personalization consent in force. Record or import their "
        "consents, then train again." in jobs_page(client, platform, "en")
    )
    assert "Quiet Academy 没有消费者的个性化推荐同意处于生效状态" in jobs_page(client, platform, "zh-hans")


def test_a_training_of_consented_consumers_without_events_says_to_import_events(client, db):
    # given a catalogue and three consented consumers with no events yet
    platform = OrganizationFactory(slug="fresh", name="Fresh Academy")
    CatalogItemFactory(organization=platform)
    for n in range(3):
        grant(Consumer.objects.create(organization=platform, external_ref=f"f{n}"))
    # when it trains
    run = train_as_a_job(platform)
    # then the job points at the missing events
    assert run.result["nothing_to_train"] == "no_events"
    assert (
        "none of the 3 consumers with personalization consent in force has an event with a catalogue item yet. "
        "Import events, then train again." in jobs_page(client, platform, "en")
    )
    assert "个性化推荐同意生效的 3 位消费者都还没有涉及目录商品的事件" in jobs_page(client, platform, "zh-hans")


def test_a_training_across_catalogues_without_an_agreement_fails_with_a_message_in_both_languages(client, world):
    # given a partner whose agreement with the platform is only a draft
    platform, _items, _people = world
    partner = OrganizationFactory(slug="homely", name="Homely")
    AgreementFactory(platform=platform, partner=partner, status="draft")
    # when the platform trains on the partner's catalogue
    with pytest.raises(ApplicationError):
        train_as_a_job(platform, partner)
    # then the failed job explains the refusal in the reader's language
    run = TaskRun.objects.get(task_name=TRAIN_TASK, organization=platform)
    assert run.status == TaskRun.Status.FAILED
    assert "No active data-sharing agreement between 知识星球学院 and Homely" in jobs_page(client, platform, "en")
    assert "知识星球学院 与 Homely 之间没有生效的数据共享协议" in jobs_page(client, platform, "zh-hans")
