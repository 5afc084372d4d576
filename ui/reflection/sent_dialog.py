""""What was sent": the exact messages a reflection sends, shown read-only, in monospace."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


def describe_plan(plan: dict) -> tuple[str, str]:
    """(a short summary, the messages as plain text with a heading per role)."""
    model = plan.get("model") or "no model (the plain reflection is used; nothing is sent)"
    prompt = plan.get("prompt") or {}
    cost = plan.get("estimated_cost_usd")
    cost_text = "unknown" if cost is None else f"${cost:.4f} at most"
    summary = (f"Nothing was sent to show you this. Model: {model}. "
               f"Prompt: {prompt.get('name', '?')} v{prompt.get('version', '?')}. "
               f"About {plan.get('input_tokens_estimated', '?')} tokens in "
               f"(budget {plan.get('input_budget', '?')}); estimated cost {cost_text}.")
    blocks = []
    for message in plan.get("messages") or []:
        role = str(message.get("role", "?")).upper()
        blocks.append(f"\u2500\u2500\u2500\u2500 {role} \u2500\u2500\u2500\u2500\n"
                      f"{message.get('content', '')}")
    return summary, "\n\n".join(blocks)


class SentDialog(QDialog):
    def __init__(self, plan: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"What would be sent for {plan.get('day', 'this day')}")
        self.setAccessibleName("What would be sent to the model")
        layout = QVBoxLayout(self)
        summary_text, messages = describe_plan(plan)
        summary = QLabel(summary_text, self)
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.messages = QPlainTextEdit(self)
        self.messages.setReadOnly(True)
        self.messages.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.messages.setPlainText(messages)  # plain text: never markup
        self.messages.setAccessibleName("The exact messages")
        layout.addWidget(self.messages, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        em = self.fontMetrics().height()
        self.resize(em * 48, em * 36)
