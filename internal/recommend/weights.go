package recommend

// The feed's constants, in one place (docs/discovery.md explains them).
const (
	// HistoryLen is how many of a reader's latest positive actions feed
	// the similar-notes source and the model's fold-in.
	HistoryLen = 30
	// CandidatesPerSource is how many notes each source proposes.
	CandidatesPerSource = 100
	// ModelServeItems is how many of the model's notes (the most engaged)
	// a request scores: 20,000 × 16 factors is about 0.2 ms.
	ModelServeItems = 20_000

	// Source weights: each source's scores are normalised to (0, 1] and
	// multiplied by its weight, and a note's score is the sum over the
	// sources that proposed it. Direct evidence (similar to what you
	// engaged with) weighs most; exploration sources least.
	WeightSimilar   = 1.0
	WeightModel     = 0.8
	WeightTopic     = 0.7
	WeightFollowing = 0.6
	WeightAuthor    = 0.5
	WeightFresh     = 0.35
	WeightPopular   = 0.3

	// Topic and author affinities count in full from these amounts (an
	// onboarding interest, or about three likes, for a topic; a follow and
	// a few likes for an author) and proportionally below, so one like
	// does not make an author as strong a reason as a topic you clearly like.
	TopicSaturation  = 4
	AuthorSaturation = 6

	// Diversity: at most MaxPerAuthor notes of one author per page, and
	// at most a third of a page (rounded down, at least 1) with one topic.
	MaxPerAuthor = 2
	// FreshShare of each page is kept for notes under FreshAge old, so
	// new notes get seen before they have any engagement.
	FreshShare = 0.1

	// Negative feedback multiplies a note's score: per hide of its author
	// and (weaker) per hide touching one of its topics, down to the floors.
	HideAuthorFactor = 0.25
	HideTopicFactor  = 0.7
	HideTopicFloor   = 0.2
	// A note shown ImpressionsBeforeDemote times without being opened is
	// demoted by IgnoredFactor.
	ImpressionsBeforeDemote = 3
	IgnoredFactor           = 0.5
)

// Action weights: how much a positive action says about taste. A dwell
// counts when it is at least DwellMinMS, scaled up to DwellFullMS.
var actionWeight = [...]float32{
	KindOpen:    0.5,
	KindDwell:   1,
	KindLike:    2,
	KindCollect: 3,
	KindComment: 2.5,
	KindShare:   3,
	KindFollow:  3,
	KindBuy:     3,
}

const (
	DwellMinMS  = 5_000
	DwellFullMS = 30_000
)
