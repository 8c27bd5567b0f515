//! The work behind the conversations: background jobs and the actions the team is asked to
//! take.

text_enum!(
    /// What a background job does. Each kind has one typed payload (`JobPayload` in the store).
    JobKind {
        ProcessConversation = "process_conversation",
        SendMessage = "send_message",
        Followup = "followup",
        KnowledgeScan = "knowledge_scan",
    }
);

text_enum!(
    /// Where a job is in its life: waiting (or backing off), held by a worker, finished,
    /// given up after its last attempt, or cancelled because the conversation moved on.
    JobStatus {
        Pending = "pending",
        Running = "running",
        Done = "done",
        Dead = "dead",
        Cancelled = "cancelled",
    }
);

text_enum!(
    /// Something a person on the team should do, raised by the agent or the send path.
    ActionKind {
        /// The lead accepted a call to action.
        CtaAccepted = "cta_accepted",
        /// The agent handed the conversation over.
        HumanAttention = "human_attention",
        /// The agent's model failed and it answered with its safe reply.
        AgentAlert = "agent_alert",
    }
);

text_enum!(
    /// Whether an action still waits for someone.
    ActionStatus { Open = "open", Resolved = "resolved" }
);

text_enum!(
    /// How far a website scan got.
    ScanStatus {
        Queued = "queued",
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
);

impl ScanStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, ScanStatus::Done | ScanStatus::Failed)
    }
}

text_enum!(
    /// Where a knowledge entry came from: the owner's faq.txt or the website scan.
    KnowledgeKind { Faq = "faq", Web = "web" }
);
