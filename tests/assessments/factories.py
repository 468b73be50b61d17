import hashlib

import factory
from django.utils import timezone

from assessments import formulas
from assessments.models import AssessmentSession, ProductDetails
from tests.platform_core.factories import CustomerFactory

BROWSER_SECRET = "the-browser-that-took-the-assessment"


class CompletedSessionFactory(factory.django.DjangoModelFactory):
    """A submitted session, scored by the real formula: `answers=4` answers every question with 4."""

    class Meta:
        model = AssessmentSession

    session_id = factory.Sequence(lambda n: f"assess_{1700000000000 + n}_abcdefghi")
    status = AssessmentSession.Status.COMPLETED_AWAITING_SIGNUP
    user_email = factory.Sequence(lambda n: f"founder{n}@example.com")
    company_name = "Acme"
    completed_at = factory.LazyFunction(timezone.now)
    # The browser that took it holds BROWSER_SECRET (what POST /assessments/start answered).
    claim_secret_hash = hashlib.sha256(BROWSER_SECRET.encode()).hexdigest()
    answers = 3

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        answer = kwargs.pop("answers")
        responses = {qid: answer for qid in formulas.QUESTION_IDS}
        scores = formulas.assessment_scores(responses)
        kwargs.update({f"{qid}_response": value for qid, value in responses.items()})
        kwargs.update(
            buyer_score=scores.buyer_score, tech_score=scores.tech_score,
            overall_score=scores.overall_score, qualification=scores.qualification,
        )  # fmt: skip
        return kwargs


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductDetails

    customer = factory.SubFactory(CustomerFactory)
    product_name = factory.Sequence(lambda n: f"Product {n}")
    product_description = "Revenue analytics for B2B SaaS teams"
    distinguishing_feature = "Scores every deal against the ideal customer profile"
    business_model = "b2b-subscription"
