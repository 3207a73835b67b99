//! The conclusion a right answer states, as one regular expression per cause category, for
//! k8s-ai-bench's `expect[].contains`.
//!
//! k8s-ai-bench matches `expect` against the agent's output from its last `Running:` line on
//! (gke-labs/k8s-ai-bench `eval.go`, `evaluateTask`, at ac9ac9c4): the last tool call's output
//! *and* the answer. The key facts of a ground truth are what kubectl prints (`OOMKilled`,
//! `Exit Code: 137`, `Insufficient cpu`), so an agent whose last call was `kubectl describe`
//! and who answered "I could not determine the root cause" met every one of them. A task
//! therefore also requires its category's conclusion in the answer's own words ("is being
//! OOMKilled", "exceeds its memory limit", "the Secret does not exist", "add a startup
//! probe"): phrasings a diagnosis uses and kubectl's `get`, `describe`, `logs` and `events`
//! never print. Tests hold them against kubectl's output of every live incident
//! (tests/fixtures/kubectl), the scenarios' explanations, the built-in diagnoser's answers
//! and hand-written ones.
//!
//! Each phrase is written with single spaces, which become `\s+`: agents render answers as
//! wrapped Markdown, so a phrase may span a line break. Gaps between a subject and its verb
//! are bounded (`[\s\S]{0,40}?`). The syntax is what Go's RE2 and Rust's `regex` share: no
//! look-around, no backreferences.

use crate::scenario::Category;

/// Phrases that conclude a cause of each category, as answers word them.
const PHRASES: [(Category, &[&str]); 6] = [
    (
        Category::ResourceLimits,
        &[
            r"\b(?:is|are|was|were|being|been|gets?|got|getting) (?:\w+ )?(?:OOM[- ]?killed|killed by (?:the|a) (?:kernel|OOM|out-of-memory))",
            r"\bOOM[- ]killer\b",
            r"\b(?:runs?|ran|running) out of (?:memory|heap)",
            r"\b(?:exceed(?:s|ed|ing)?|hit(?:s|ting)?|over|above|beyond|past|outgrows?|outgrew) (?:the|its|their|a|an|this|that|it's) (?:[^\s.]+ ){0,3}?(?:limit|request|cap|quota|capacity)s?\b",
            // "reached" only with what is reached: a Job "has reached the specified backoff
            // limit" (kubectl's event text) concludes nothing about memory.
            r"\breach(?:es|ed|ing)? (?:the|its|their|a|an|this|that|it's) (?:[^\s.]+ ){0,2}?(?:memory|cpu|heap|resource)s? (?:limit|request|cap|quota|capacity)s?\b",
            r"\b(?:not enough|too little|lack of|lacks|short of) (?:free |available |allocatable |spare )?(?:cpu|memory|heap|resources|cores)",
            r"\bno node (?:has|with|can|could)\b",
            r"\b(?:due to|because of) (?:an? )?insufficient\b",
            r"\b(?:memory|cpu|heap|resource)(?: limit| request| size)?s?(?: of [^\s.]+)? (?:is |are |was |were )?(?:set )?too (?:low|small|tight|high|large|big)\b",
            r"\btoo (?:low|small|tight|high|large|big) (?:an? |the )?(?:memory|cpu|heap|resource) (?:limit|request|size)",
            r"\b(?:cannot|can't|can not|could not|couldn't|won't|will not|is not|isn't|was not|wasn't|never|unable to) (?:be )?(?:scheduled|placed)\b",
            r"\b(?:does not|doesn't|do not|don't|cannot|can't) fit\b",
            r"\bmemory leak|\bleaks? memory|\bleaking memory",
            r"\b(?:requests?|requesting|asks? for|asking for) (?:[^\s.]+ ){0,3}?more (?:[^\s.]+ ){0,2}?than\b",
            r"\b(?:lower|reduce|decrease) (?:[^\s.]+ ){0,2}?(?:cpu|memory) requests?\b",
        ],
    ),
    (
        Category::DependencyDown,
        &[
            // Adverbs only between verb and state: Postgres logs `database system was shut
            // down` and `the database system is starting up`.
            r"\b(?:database|db|postgres(?:ql)?|dependency|backend|upstream|(?:log )?collector|fluentd|server)s?\b[\s\S]{0,40}?\b(?:is|are|was|were|isn't|aren't|wasn't|weren't) (?:still |simply |currently |actually |completely |apparently )?(?:down|unavailable|unreachable|offline|gone|not (?:yet )?(?:running|ready|reachable|available|up|listening|accepting|started)|scaled (?:to zero|to 0|down)|still (?:starting|initiali[sz]ing|coming up|booting|warming))",
            r"\b(?:no|zero|0) (?:ready |running |healthy |backing )?(?:endpoints?|pods? (?:behind|backing|for|match))",
            r"\bselector\b[\s\S]{0,40}?\bmatch(?:es)? no\b",
            r"\bconnections? (?:is |are |was |were |being |gets? |got )(?:refused|rejected|reset)",
            r"\b(?:nothing|no process|no pod|no one|nobody) (?:is |was )?(?:yet )?(?:listening|listens|running|serving|accepting)",
            r"\bbefore (?:the )?(?:database|db|postgres(?:ql)?|dependency|server|backend|collector)\b[\s\S]{0,30}?\b(?:ready|up|listening|available|initiali[sz]ed|started)",
            r"\b(?:bring|bringing|brought) (?:[^\s.]+ ){0,4}?(?:back|up)\b",
            r"\b(?:dependency|database|db|postgres(?:ql)?|collector|fluentd|backend) (?:outage|is down|was down|went down|being down)",
            r"\b(?:cannot|can't|could not|couldn't|unable to|fails? to|failing to) (?:reach|connect to) (?:the|its|a) ",
        ],
    ),
    (
        Category::CodeBug,
        &[
            r"\b(?:bug|defect)s?\b",
            r"\b(?:app|application|program|process|code|binary|service|container|it|daemon|library|extension|module|migration)\b[\s\S]{0,20}?\b(?:crashes|crashed|panics|panicked|segfaults|segfaulted|aborts|aborted|dereferences|dereferenced)\b",
            r"\b(?:programming|coding|logic) (?:error|mistake|fault)",
            r"\b(?:run|runs|running|deploy|deployed|convert\w*|change\w*|rewrite|make) (?:it |this |the (?:app|program|workload|deployment) )?(?:as |to |into )?an? (?:Cron)?Job\b",
            r"\b(?:should|must|ought to) be an? (?:Cron)?Job\b",
            r"\b(?:exits?|exited|exiting|completes?|completed|finishes|finished|terminates|terminated|ends) (?:successfully|normally|cleanly|with (?:exit )?(?:code |status )?0\b)",
            r"\bmigration\b[\s\S]{0,60}?\b(?:fails|failing|is broken|references|refers to|depends on|expects|needs|requires|assumes|is wrong|is out of order|ordered)\b",
            r"\b(?:fix|patch|correct|debug)\b (?:[^\s.]+ ){0,3}?(?:code|bug|program|migrations?|source|library|extension|assertion|invariant)\b",
            r"\b(?:roll ?back|rollback|revert)\b",
        ],
    ),
    (
        Category::ProbeFailure,
        &[
            r"\b(?:liveness|readiness|startup) ?probe\b[\s\S]{0,40}?\b(?:fails|is failing|keeps failing|kills|restarts|times out|timing out|is misconfigured|is too|starts|begins|runs|checks|never (?:succeeds|passes)|does not|doesn't|gives|allows|has|marks|removes|takes|holds|is held)\b",
            r"\b(?:kubelet|kubernetes)\b[\s\S]{0,30}?\b(?:kills|restarts|removes|keeps killing|keeps restarting|killed|restarted)\b",
            r"(?:\bhealth ?check|/healthz|\bhealth endpoint|\bendpoint)\b[\s\S]{0,40}?\b(?:returns|returning|answers|responds|is returning|fails|is failing|times out|takes|is slow|too slow|does not answer|doesn't answer|reports)\b",
            r"\b(?:add|use|configure|define|set up|needs?|missing|lacks?|without|no) (?:an? )?startup ?probe",
            r"\b(?:increase|raise|lengthen|extend|relax|loosen|adjust|tune|fix|correct|change|give)\b (?:[^\s.]+ ){0,3}?(?:timeoutSeconds|failureThreshold|periodSeconds|initialDelaySeconds|probe|timeout|threshold|budget)",
            r"\b(?:not|never|doesn't|does not|won't|will not) (?:a )?(?:crash|restart|kill)",
            r"\b(?:before|until) (?:the )?(?:app|application|server|it)\b[\s\S]{0,30}?\b(?:is |has )?(?:ready|started|listening|finished|done|warm|up)\b",
        ],
    ),
    (
        Category::ImageProblem,
        &[
            r"\b(?:is not|isn't|was not|wasn't|are not|aren't) (?:present |available |loaded |pulled )?(?:on|in|onto|into) (?:the )?(?:node|cluster|runtime|containerd|local|image store|registry)",
            r"\bnever (?:been )?(?:built|loaded|pulled|imported|pushed)\b",
            r"\b(?:load|import|push|build|pre-?pull|side-?load)\b (?:[^\s.]+ ){0,3}?(?:into|onto|to|on) (?:the |a )?(?:node|cluster|kind|runtime|registry)",
            r"\b(?:change|set|switch|use)\b (?:[^\s.]+ ){0,2}?(?:imagePullPolicy|pull ?policy)",
            r"\b(?:binary|executable|entrypoint|command|program|path)\b[\s\S]{0,40}?\b(?:does not exist|doesn't exist|is missing|is not (?:in|present|there)|isn't (?:in|present|there)|is absent|points|is wrong)",
            r"\b(?:image|container image)\b[\s\S]{0,30}?\b(?:lacks|doesn't (?:contain|have|include)|does not (?:contain|have|include)|has no|is missing|without)\b",
            r"\b(?:wrong|incorrect|bad|typo in the) (?:image|command|entrypoint|path)\b",
            r"\b(?:rebuild|re-build)\b",
        ],
    ),
    (
        Category::MissingConfig,
        &[
            r"\b(?:missing|absent|undefined|unset|nonexistent|non-existent|wrong|incorrect|invalid|malformed|misconfigured|broken|bad|faulty|conflicting|duplicate)\b (?:[^\s.]+ ){0,2}?(?:config(?:uration)?|configmap|config map|secret|env(?:ironment)?(?: variable| var)?|variable|setting|file|key|value|mount|volume|port|line|entry|yaml|colon|syntax|reference|securityContext|security context)s?\b",
            r"\b(?:configmap|config map|secret|variable|file|key|setting|volume|DATABASE_URL|LOG_LEVEL|EXPORT_BUCKET|BACKUP_TARGET|app-config|app-db|app-tls|config\.yaml)\b[\s\S]{0,40}?\b(?:is missing|are missing|was removed|were removed|is not (?:defined|provided|mounted|present|created|there)|isn't (?:set|defined|provided|mounted|present|created|there)|was not (?:set|defined|created|provided)|wasn't (?:set|defined|created|provided)|does not exist|doesn't exist|is absent|is undefined|is unset|is empty|is malformed|is invalid|has a (?:syntax |parse )?(?:error|typo)|lacks|was dropped|is dropped|got dropped|is gone)",
            // Not `key` or `value`: describe prints `<set to the key 'url' in secret 'app-db'>`.
            r"\b(?:set|add|define|provide|restore|re-add|inject|mount|create|supply|fix|correct|change|update|edit|rename|point|give)\b (?:[^\s.]+ ){0,3}?(?:env(?:ironment)?(?: variable| var)?|variable|DATABASE_URL|LOG_LEVEL|EXPORT_BUCKET|BACKUP_TARGET|configmap|config map|secret|config(?:uration)?|file|setting|port|volume|emptyDir|mount|securityContext|readOnlyRootFilesystem|line|reference)s?\b",
            r"\b(?:because|since) (?:[^\s.]+ ){0,3}?(?:configmap|config map|secret|env(?:ironment)? variable|variable|file|key|setting|volume)\b",
            r"\b(?:both|two|the two|the other|another|each) (?:containers?|processes|sidecars?)\b[\s\S]{0,40}?\b(?:listen|bind|use|share|try|want|are configured|is configured)",
            r"\b(?:same|conflicting|shared) port\b|\bport (?:conflict|collision|clash)",
            r"\b(?:different|another|separate|its own|a free|an unused|other) port\b",
            r"\bshare\w* (?:the |one |a |their )?(?:pod's )?network namespace|\bsame network namespace",
            // Not `already in use`: the log says `bind: address already in use`.
            r"\balready (?:listening|listens|bound)\b|\b(?:can't|cannot|can not|unable to|fails to|failing to) bind\b",
            r"\b(?:cannot|can't|can not|unable to|not allowed to|isn't allowed to|fails to|failing to) (?:write|create|mkdir|make)\b",
            // Not `YAML error` or `format error`: a log line can end in `config.yaml` and
            // the next begin with `error:`.
            r"\b(?:syntax|parse) (?:error|mistake|problem|issue)\b|\btypo\b",
            r"\b(?:does not|doesn't|did not|didn't|never) (?:set|define|provide|pass|include|inject|mount|have|contain|reference)\b",
            r"\b(?:roll ?back|rollback|revert|undo)\b",
            r"\b(?:revision|rollout|release|new (?:version|replica ?set|template))\b[\s\S]{0,60}?\b(?:removed|dropped|deleted|lost|omitted|broke|introduced)\b",
        ],
    ),
];

/// The phrases of `category`, each with its spaces as `\s+`.
pub fn phrases(category: Category) -> Vec<String> {
    PHRASES
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, ps)| ps.iter().map(|p| spaces_as_whitespace(p)).collect())
        .unwrap_or_default()
}

/// `pattern` with each space outside a character class as `\s+` (`[- ]` stays a class).
fn spaces_as_whitespace(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() * 2);
    let (mut in_class, mut escaped) = (false, false);
    for ch in pattern.chars() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => in_class = true,
            ']' => in_class = false,
            ' ' if !in_class => {
                out.push_str(r"\s+");
                continue;
            }
            _ => {}
        }
        out.push(ch);
    }
    out
}

/// One case-insensitive regular expression: any phrase of `category`.
pub fn pattern(category: Category) -> String {
    format!("(?i)(?:{})", phrases(category).join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(c: Category) -> regex::Regex {
        regex::Regex::new(&pattern(c)).unwrap()
    }

    #[test]
    fn every_category_has_phrases() {
        for c in Category::ALL {
            assert!(!phrases(c).is_empty(), "{c}");
        }
    }

    #[test]
    fn spaces_in_classes_stay_spaces() {
        assert_eq!(
            spaces_as_whitespace(r"OOM[- ]?killed by [^\s.]+ \[x ]"),
            r"OOM[- ]?killed\s+by\s+[^\s.]+\s+\[x\s+]"
        );
    }

    #[test]
    fn a_conclusion_may_span_a_wrapped_line() {
        let oom = re(Category::ResourceLimits);
        assert!(oom.is_match("The container is being\n  OOMKilled every time"));
        assert!(oom.is_match("it exceeds its 64Mi memory\nlimit"));
    }

    #[test]
    fn what_kubectl_prints_is_no_conclusion() {
        // Lines kubectl prints verbatim in the live incidents (more in tests.rs, from
        // tests/fixtures/kubectl).
        for (c, line) in [
            (
                Category::ResourceLimits,
                "      Reason:       OOMKilled\n      Exit Code:    137",
            ),
            (
                Category::ResourceLimits,
                "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available",
            ),
            (
                Category::ResourceLimits,
                "FATAL ERROR: Reached heap limit Allocation failed",
            ),
            (
                Category::MissingConfig,
                "error: required environment variable DATABASE_URL is not set",
            ),
            (
                Category::MissingConfig,
                "DATABASE_URL:  <set to the key 'url' in secret 'app-db'>  Optional: true",
            ),
            (
                Category::DependencyDown,
                "Caused by: java.net.ConnectException: Connection refused",
            ),
            // Postgres's own log lines, as `kubectl logs` of a database pod shows them.
            (
                Category::DependencyDown,
                "LOG:  database system was shut down at 2026-12-06 01:10:43 UTC\n\
                 FATAL:  the database system is starting up\n\
                 LOG:  database system is ready to accept connections",
            ),
            (
                Category::ProbeFailure,
                "Container app failed liveness probe, will be restarted",
            ),
            (
                Category::ImageProblem,
                "Container image \"crashlab.dev/not-built:v1\" is not present with pull policy of Never",
            ),
            (
                Category::CodeBug,
                "panic: runtime error: invalid memory address or nil pointer dereference",
            ),
        ] {
            assert!(!re(c).is_match(line), "{c}: {line}");
        }
    }
}
