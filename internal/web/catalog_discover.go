package web

// The discover feed's strings (explore "why" lines, not interested,
// onboarding).
func init() {
	addCatalog(map[string]string{
		"discover.why.similar":     "Because you liked “%s”",
		"discover.why.similar_any": "Like notes you enjoyed",
		"discover.why.model":       "Picked for you",
		"discover.why.topic":       "Because you like #%s",
		"discover.why.following":   "From someone you follow",
		"discover.why.author":      "You often read %s",
		"discover.why.fresh":       "Just posted",
		"discover.why.popular":     "Popular now",
		"discover.not_interested":  "Not interested",
		"discover.hidden":          "Got it: you'll see less like this",
		"onboarding.title":         "What are you into?",
		"onboarding.lead":          "Pick a few topics and your explore page starts with them. You can skip this.",
		"onboarding.save":          "Start exploring",
		"onboarding.skip":          "Skip",
		"onboarding.max":           "Pick at most %d topics.",
	}, map[string]string{
		"discover.why.similar":     "因为你喜欢「%s」",
		"discover.why.similar_any": "和你喜欢的笔记相似",
		"discover.why.model":       "为你推荐",
		"discover.why.topic":       "因为你喜欢 #%s",
		"discover.why.following":   "来自你的关注",
		"discover.why.author":      "你常看 %s",
		"discover.why.fresh":       "新鲜发布",
		"discover.why.popular":     "大家都在看",
		"discover.not_interested":  "不感兴趣",
		"discover.hidden":          "好的，将减少此类推荐",
		"onboarding.title":         "选择你感兴趣的话题",
		"onboarding.lead":          "选几个话题，发现页会先推荐这些内容。也可以跳过。",
		"onboarding.save":          "开始探索",
		"onboarding.skip":          "跳过",
		"onboarding.max":           "最多选择 %d 个话题。",
	})
}
