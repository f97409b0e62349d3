package seed

// The phrase banks the demo content is assembled from. Titles and lines are
// templates: {slot} is replaced by a random entry of that slot, looked up in
// the category's slots first, then in the language's shared slots.

type lang uint8

const (
	zh lang = iota
	en
)

type category uint8

const (
	fashion category = iota
	skincare
	makeup
	travel
	fitness
	food
	film
	numCategories
)

var categoryNames = [numCategories]string{"fashion", "skincare", "makeup", "travel", "fitness", "food", "film"}

// bank is what one category says in one language.
type bank struct {
	titles []string
	opens  []string
	lines  []string
	closes []string
	topics []string
	slots  map[string][]string
	bios   []string
	boards []string
}

var sharedSlots = [2]map[string][]string{
	zh: {
		"n":    {"3", "4", "5", "6", "7", "10"},
		"days": {"3", "5", "7", "14", "21", "30"},
		"mood": {"真的绝了", "太治愈了", "后悔没早点知道", "强烈推荐", "闭眼入", "一定要试试"},
	},
	en: {
		"n":    {"3", "4", "5", "6", "7", "10"},
		"days": {"3", "5", "7", "14", "21", "30"},
		"mood": {"a total game changer", "so worth it", "my new favourite", "honestly perfect", "better than expected"},
	},
}

var banks = [numCategories][2]bank{
	fashion: {
		zh: {
			titles: []string{
				"{season}通勤穿搭｜一衣多穿的{n}种方法",
				"{height}小个子的{style}穿搭，显高又显瘦",
				"被问爆的{color}{item}，{price}元平替找到了",
				"一周不重样｜{season}{style}风穿搭合集",
				"胶囊衣橱：{n}件单品搞定整个{season}",
				"梨形身材也能穿的{item}，{mood}",
				"{color}配{color2}，今年最喜欢的配色",
				"今日OOTD｜{item}+{item2}",
			},
			opens: []string{
				"最近好多姐妹私信问我的穿搭，整理了一下～",
				"{season}真的不想动脑子，直接照着穿就好",
				"衣柜里最常穿的几件，终于有空分享了",
				"身高{height}，体重保密，分享几套日常搭配",
				"这件{item}买了一个月穿了十几次，{mood}",
			},
			lines: []string{
				"{color}{item}+高腰阔腿裤，干净又显高",
				"{item}搭配{item2}，周末出门很松弛",
				"{style}风的关键是少即是多，配饰选一件就好",
				"{color}很挑肤色，黄皮可以选偏暖一点的",
				"腰线一定要提高，小个子的救命法则",
				"鞋子选了乐福鞋，通勤走一天也不累",
				"内搭用基础款，外套负责出彩",
				"{item}尺码偏大，建议拍小一码",
				"同色系叠穿，看起来很有质感",
				"加一条细腰带，整个比例都不一样了",
			},
			closes: []string{
				"你们最喜欢哪一套？评论区告诉我",
				"单品链接都放在评论区啦",
				"下期想看什么风格可以留言～",
				"穿搭没有标准答案，舒服最重要",
			},
			topics: []string{"穿搭", "OOTD", "通勤穿搭", "小个子穿搭", "每日穿搭", "法式穿搭", "胶囊衣橱"},
			slots: map[string][]string{
				"season": {"夏日", "秋冬", "早春", "初秋", "春夏"},
				"height": {"155", "158", "160", "163", "165"},
				"style":  {"法式", "韩系", "日系", "极简", "复古", "美式休闲"},
				"color":  {"奶油白", "燕麦色", "雾霾蓝", "焦糖色", "橄榄绿", "酒红色", "卡其色"},
				"color2": {"浅灰", "藏青", "米白", "黑色", "牛仔蓝"},
				"item":   {"白衬衫", "牛仔外套", "针织开衫", "西装外套", "半身裙", "风衣", "小黑裙", "马甲"},
				"item2":  {"直筒牛仔裤", "乐福鞋", "托特包", "百褶裙", "帆布鞋", "阔腿裤"},
				"price":  {"99", "129", "159", "199", "259"},
			},
			bios:   []string{"分享日常穿搭", "小个子穿搭研究所", "衣橱整理爱好者", "通勤穿搭 | 一衣多穿", "法式穿搭分享"},
			boards: []string{"穿搭灵感", "想买的衣服", "通勤穿搭"},
		},
		en: {
			titles: []string{
				"{n} ways to style one {item} this {season}",
				"My {style} capsule wardrobe: {n} pieces, endless outfits",
				"Petite-friendly {item} I keep reaching for",
				"{color} and {color2}: my favourite combo right now",
				"What I wore this week (work edition)",
				"The {item} that is {mood}",
			},
			opens: []string{
				"So many of you asked about this outfit, so here it is.",
				"Getting dressed for work should not take an hour.",
				"I wore this {item} more than anything else this month.",
				"Trying to buy less and style what I own better.",
			},
			lines: []string{
				"{color} {item} with straight-leg jeans, simple but polished.",
				"Tuck in the front only, it fixes the proportions instantly.",
				"One statement piece per outfit, everything else neutral.",
				"The {item} runs large, I sized down.",
				"Loafers all week, my feet are thankful.",
				"Layering the same tones makes cheap pieces look expensive.",
				"A thin belt changes the whole silhouette.",
				"Swap sneakers for loafers and it works for the office.",
			},
			closes: []string{
				"Which look is your favourite?",
				"Links are in the comments.",
				"Tell me what to style next!",
			},
			topics: []string{"OOTD", "outfitideas", "capsulewardrobe", "minimalstyle", "petitefashion"},
			slots: map[string][]string{
				"season": {"summer", "fall", "spring", "winter"},
				"style":  {"French", "minimalist", "Scandi", "vintage", "preppy"},
				"color":  {"Cream", "Camel", "Sage green", "Navy", "Burgundy", "Chocolate"},
				"color2": {"grey", "denim blue", "white", "black"},
				"item":   {"linen shirt", "trench coat", "blazer", "slip skirt", "cardigan", "white tee", "denim jacket"},
			},
			bios:   []string{"outfits for real life", "petite style notes", "slow fashion, fewer but better", "capsule wardrobe nerd"},
			boards: []string{"Outfit ideas", "Wishlist", "Work looks"},
		},
	},
	skincare: {
		zh: {
			titles: []string{
				"{skin}自救指南｜{days}天皮肤稳定了",
				"空瓶记｜这瓶{ingredient}{product}{mood}",
				"{ingredient}到底怎么用？成分党的{n}条建议",
				"早C晚A新手入门，避开这些坑",
				"换季烂脸急救，我的{product}清单",
				"平价{product}测评｜{n}款横向对比",
				"{skin}的夏日护肤流程，清爽不闷痘",
			},
			opens: []string{
				"作为一个{skin}，踩过的坑真的太多了",
				"这篇写给刚开始护肤的姐妹，尽量说得简单一点",
				"坚持用了{days}天，终于可以来交作业了",
				"最近皮肤状态被好几个朋友夸，分享一下流程",
			},
			lines: []string{
				"洁面选氨基酸的，{skin}不要过度清洁",
				"{ingredient}从低浓度开始建立耐受",
				"{product}用量一元硬币大小就够",
				"防晒每天都要涂，阴天也不例外",
				"晚上用{ingredient}，白天一定做好防晒",
				"面膜一周两三次就好，不要天天敷",
				"屏障受损的时候先停掉所有功效型产品",
				"{product}上脸很好推开，吸收快不黏腻",
				"保湿做好了，出油反而会少",
				"新品先在耳后试用两天，避免过敏",
			},
			closes: []string{
				"每个人肤质不同，仅供参考哦",
				"有问题可以评论区问我，看到都会回",
				"护肤是长期的事，急不来",
				"你们的空瓶好物是什么？",
			},
			topics: []string{"护肤", "敏感肌", "成分党", "空瓶记", "早C晚A", "平价护肤"},
			slots: map[string][]string{
				"skin":       {"干皮", "油皮", "混油皮", "敏感肌", "痘肌"},
				"ingredient": {"烟酰胺", "玻尿酸", "视黄醇", "神经酰胺", "积雪草", "水杨酸", "维C"},
				"product":    {"精华", "面霜", "防晒", "洁面", "爽肤水", "面膜", "眼霜"},
			},
			bios:   []string{"成分党 | 敏感肌自救中", "护肤笔记", "只分享真实空瓶", "油皮护肤日记"},
			boards: []string{"护肤清单", "想买的护肤品"},
		},
		en: {
			titles: []string{
				"My {days}-day routine for {skin}",
				"Empties: the {ingredient} {product} that is {mood}",
				"How to start {ingredient} without wrecking your skin",
				"Budget {product}s ranked: {n} I tested",
				"Morning vs night routine, explained simply",
			},
			opens: []string{
				"I have {skin}, so take this with that in mind.",
				"After {days} days my skin finally calmed down.",
				"Keeping this simple for anyone just starting out.",
			},
			lines: []string{
				"Gentle cleanser only, no scrubbing.",
				"Start {ingredient} twice a week and build up slowly.",
				"Sunscreen every single day, even when it is cloudy.",
				"The {product} absorbs fast and sits well under makeup.",
				"Patch test anything new behind your ear first.",
				"When your barrier is damaged, pause all actives.",
				"A pea-sized amount of {product} is plenty.",
				"Moisturising properly made my skin less oily.",
			},
			closes: []string{
				"Everyone's skin is different, this is just mine.",
				"Ask me anything in the comments!",
				"What are your holy grail products?",
			},
			topics: []string{"skincare", "skincareroutine", "sensitiveskin", "empties"},
			slots: map[string][]string{
				"skin":       {"dry skin", "oily skin", "combination skin", "sensitive skin", "acne-prone skin"},
				"ingredient": {"niacinamide", "hyaluronic acid", "retinol", "ceramide", "centella", "vitamin C"},
				"product":    {"serum", "moisturizer", "sunscreen", "cleanser", "toner", "eye cream"},
			},
			bios:   []string{"skincare nerd", "sensitive skin diaries", "ingredients over hype"},
			boards: []string{"Skincare routine", "Products to try"},
		},
	},
	makeup: {
		zh: {
			titles: []string{
				"{skin}友好的{shade}{product}，{mood}",
				"新手也能学会的{look}，{n}分钟出门",
				"{product}试色｜{n}个色号一次看完",
				"温柔{look}教程，约会必备",
				"学生党平价{product}推荐",
				"这个{shade}也太适合秋冬了吧",
			},
			opens: []string{
				"最近天天画这个妆，被同事问了好几次",
				"作为{skin}，挑色号真的很头疼",
				"手残党也能学会，步骤很简单",
			},
			lines: []string{
				"底妆薄薄一层，{product}用海绵蛋按压",
				"{shade}薄涂很日常，厚涂就是气场全开",
				"腮红扫在颧骨偏上，显得年轻",
				"眉毛顺着毛流画，不要描边",
				"遮瑕只点在需要的地方",
				"散粉只压T区，保留一点光泽",
				"{product}持妆大概六小时，吃饭会掉一点",
				"眼影用大地色打底，眼尾加深",
			},
			closes: []string{
				"你们平时喜欢什么妆容？",
				"色号都写在图里啦",
				"喜欢的话下期出详细教程",
			},
			topics: []string{"美妆", "口红试色", "化妆教程", "伪素颜", "黄皮友好"},
			slots: map[string][]string{
				"skin":    {"黄皮", "白皮", "黄黑皮", "干皮"},
				"shade":   {"豆沙色", "枫叶红", "奶茶色", "蜜桃粉", "砖红色", "裸粉色"},
				"product": {"口红", "腮红", "粉底液", "眼影盘", "遮瑕", "唇釉", "散粉"},
				"look":    {"伪素颜", "通勤妆", "约会妆", "氛围感妆容", "清透底妆"},
			},
			bios:   []string{"美妆博主 | 黄皮友好", "每天化妆五分钟", "口红收集癖"},
			boards: []string{"化妆教程", "想买的口红"},
		},
		en: {
			titles: []string{
				"{shade} {product} swatches for {skin}",
				"My {n}-minute {look}",
				"Drugstore {product}s that are {mood}",
				"The {look} I wear every day",
			},
			opens: []string{
				"I get asked about this look all the time.",
				"Finding shades for {skin} is hard, so here are mine.",
				"Quick, easy and beginner friendly.",
			},
			lines: []string{
				"Sheer base, pressed in with a damp sponge.",
				"Blush high on the cheekbones lifts the whole face.",
				"{shade} is subtle when tapped on, bold when layered.",
				"Brows brushed up, filled only where sparse.",
				"Powder only on the T-zone to keep some glow.",
				"The {product} lasted about six hours for me.",
			},
			closes: []string{
				"Shade names are on the photos.",
				"Want a full tutorial next?",
			},
			topics: []string{"makeup", "makeuptutorial", "swatches", "nomakeupmakeup"},
			slots: map[string][]string{
				"skin":    {"warm undertones", "cool undertones", "olive skin", "fair skin"},
				"shade":   {"Rosewood", "Brick red", "Nude pink", "Peach", "Mauve", "Berry"},
				"product": {"lipstick", "blush", "foundation", "concealer", "lip tint", "eyeshadow palette"},
				"look":    {"no-makeup makeup", "office look", "date-night look", "glowy base"},
			},
			bios:   []string{"makeup for real mornings", "lipstick hoarder", "warm undertone club"},
			boards: []string{"Makeup looks", "Shades to try"},
		},
	},
	travel: {
		zh: {
			titles: []string{
				"{city}{trip}攻略｜人均{budget}玩到爽",
				"在{city}，找到了一家宝藏{spot}",
				"{city}旅行避坑指南，第{n}条太重要了",
				"第一次去{city}，这条路线照抄就行",
				"{city}的日落，{mood}",
				"周末去{city}，比想象中还要好",
			},
			opens: []string{
				"刚从{city}回来，趁记忆还新鲜赶紧整理",
				"这次行程没有特种兵，慢慢逛反而更舒服",
				"做攻略做了两周，希望能帮到你们",
				"说走就走的旅行，结果意外地好",
			},
			lines: []string{
				"Day1 到达后先去{spot}，傍晚人少拍照最好",
				"住在老城区附近，走路能到大部分景点",
				"交通建议买交通卡，省心又省钱",
				"{spot}一定要早上去，不然排队很久",
				"当地的小吃街比网红店好吃多了",
				"旺季酒店要提前一个月订",
				"雨天也没关系，{spot}反而更有氛围",
				"带一双好走的鞋，每天两万步起",
				"预算大概人均{budget}，包括住宿和吃饭",
				"最后一天留给自己发呆，不赶行程",
			},
			closes: []string{
				"收藏起来，下次出发用得上",
				"还想看哪个城市的攻略？",
				"有问题评论区问我～",
			},
			topics: []string{"旅行攻略", "旅行", "周末去哪儿", "小众旅行地", "citywalk"},
			slots: map[string][]string{
				"city":   {"京都", "大理", "成都", "厦门", "杭州", "清迈", "巴黎", "东京", "香港", "重庆", "青岛", "冰岛"},
				"trip":   {"3天2晚", "4天3晚", "5天4晚", "7天6晚"},
				"spot":   {"古镇", "海边", "山里的民宿", "小众咖啡馆", "日落观景台", "博物馆", "夜市"},
				"budget": {"1500", "2000", "3000", "5000"},
			},
			bios:   []string{"周末旅行家", "去过30个城市", "慢旅行 | 攻略分享", "在路上"},
			boards: []string{"想去的地方", "旅行攻略", "下次去"},
		},
		en: {
			titles: []string{
				"{city} in {days} days: the itinerary I'd repeat",
				"A hidden {spot} in {city} you need to know",
				"{n} things I wish I knew before visiting {city}",
				"Slow travel in {city}, {mood}",
				"Weekend in {city} on a budget",
			},
			opens: []string{
				"Just got back from {city} and writing this while I remember everything.",
				"No rushing this time, and it was the best trip in years.",
				"I planned this for weeks so you don't have to.",
			},
			lines: []string{
				"Day 1: check in, then walk to the {spot} for sunset.",
				"Stay near the old town so you can walk everywhere.",
				"Get a transit card on arrival, it saves a lot.",
				"Go to the {spot} early, queues are long by ten.",
				"The street food beat every trendy restaurant.",
				"Book hotels a month ahead in high season.",
				"Rain made the {spot} even more atmospheric.",
				"Pack comfortable shoes, we walked 20k steps a day.",
			},
			closes: []string{
				"Save this for your next trip!",
				"Which city should I cover next?",
				"Questions welcome in the comments.",
			},
			topics: []string{"travel", "travelguide", "itinerary", "slowtravel", "旅行攻略"},
			slots: map[string][]string{
				"city": {"Kyoto", "Lisbon", "Paris", "Seoul", "Tokyo", "Chengdu", "Hong Kong", "Copenhagen", "Bali"},
				"spot": {"hidden café", "sunset viewpoint", "night market", "old town", "ryokan", "harbour"},
			},
			bios:   []string{"slow travel & good coffee", "30 countries and counting", "weekend trips, honest guides"},
			boards: []string{"Places to go", "Travel ideas", "Trip 2025"},
		},
	},
	fitness: {
		zh: {
			titles: []string{
				"坚持{move}{days}天，{part}变化太明显了",
				"在家就能练的{part}训练，{n}个动作",
				"减脂期一日三餐+训练计划",
				"跟练{move}第{days}天打卡",
				"瘦了{kg}斤，分享我的真实经验",
				"新手健身房指南，不再尴尬",
			},
			opens: []string{
				"一开始完全练不动，现在已经成为习惯了",
				"不节食不熬夜，慢慢瘦下来的",
				"工作日时间少，这套动作二十分钟就能练完",
			},
			lines: []string{
				"{move}每组15个，做4组，组间休息40秒",
				"热身一定要做，不然很容易受伤",
				"饮食控制七分，训练三分",
				"每周练四次，留两天给身体恢复",
				"体重不降的时候看看围度",
				"{part}发力要感受到，不要借力",
				"睡够七小时比多练一小时更重要",
				"蛋白质每餐都要有",
			},
			closes: []string{
				"一起打卡吧！",
				"有问题评论区问，我尽量回",
				"慢慢来，比较快",
			},
			topics: []string{"健身", "减脂", "居家健身", "健身打卡", "普拉提"},
			slots: map[string][]string{
				"move": {"深蹲", "臀桥", "平板支撑", "跳绳", "普拉提", "帕梅拉", "爬坡走", "瑜伽"},
				"part": {"腰腹", "臀腿", "肩背", "手臂"},
				"kg":   {"6", "10", "15", "20"},
			},
			bios:   []string{"健身第3年", "增肌减脂中", "普拉提爱好者", "自律给我自由"},
			boards: []string{"健身计划", "减脂餐"},
		},
		en: {
			titles: []string{
				"{days} days of {move}: my honest results",
				"A {n}-move {part} workout you can do at home",
				"What I eat in a day while training",
				"Gym anxiety? Start here",
			},
			opens: []string{
				"I could barely do one set at the start.",
				"No crash diets, just consistency.",
				"Twenty minutes, no equipment, done.",
			},
			lines: []string{
				"{move}: 4 sets of 12, 45 seconds rest.",
				"Always warm up first.",
				"Sleep did more for me than extra cardio.",
				"Train four days a week, rest the other three.",
				"Protein with every meal.",
				"Feel the {part} working, don't swing.",
			},
			closes: []string{
				"Who's joining me this week?",
				"Progress, not perfection.",
			},
			topics: []string{"fitness", "workout", "homeworkout", "pilates"},
			slots: map[string][]string{
				"move": {"squats", "hip thrusts", "planks", "jump rope", "Pilates", "incline walking", "deadlifts"},
				"part": {"core", "glutes", "back", "arms"},
			},
			bios:   []string{"lifting and learning", "pilates every morning", "strong not skinny"},
			boards: []string{"Workout plans", "Healthy meals"},
		},
	},
	food: {
		zh: {
			titles: []string{
				"{city}这家{dish}，排队一小时也值得",
				"{min}分钟快手{dish}，零失败",
				"人均{price}吃到撑｜{city}宝藏小店",
				"在家复刻网红{dish}，比店里还好吃",
				"一周减脂便当不重样",
				"{city}本地人才知道的{n}家店",
			},
			opens: []string{
				"被朋友安利了好久，终于去吃了",
				"周末在家做了{dish}，简单到不敢相信",
				"吃遍了{city}的{dish}，这家是第一名",
			},
			lines: []string{
				"{dish}是招牌，一定要点",
				"人均{price}左右，分量很足",
				"工作日中午去不用排队",
				"调料比例：生抽两勺，蚝油一勺，糖半勺",
				"面团发酵到两倍大再整形",
				"环境一般但味道真的没话说",
				"老板人很好，还送了一份小菜",
				"少油少盐也可以很好吃",
			},
			closes: []string{
				"地址在定位里，冲！",
				"你们那里有什么好吃的？",
				"做了记得来交作业",
			},
			topics: []string{"美食", "探店", "家常菜", "减脂餐", "烘焙"},
			slots: map[string][]string{
				"city":  {"上海", "成都", "长沙", "广州", "北京", "杭州", "西安", "顺德"},
				"dish":  {"火锅", "生煎", "烤鸭", "贝果", "肉桂卷", "酸菜鱼", "咖喱饭", "提拉米苏", "抹茶拿铁"},
				"price": {"38", "58", "88", "128"},
				"min":   {"10", "15", "20"},
			},
			bios:   []string{"吃货一枚，只推真心好吃的", "下厨房的周末", "探店不恰饭", "烘焙新手"},
			boards: []string{"想吃的店", "菜谱收藏"},
		},
		en: {
			titles: []string{
				"The best {dish} in {city}, worth the queue",
				"{min}-minute {dish} you can make tonight",
				"Eating well in {city} for under ${price}",
				"Homemade {dish} that beats the café",
			},
			opens: []string{
				"A friend kept telling me about this place.",
				"Sunday project: {dish} from scratch.",
				"I've tried every {dish} in {city}, this one wins.",
			},
			lines: []string{
				"The {dish} is the thing to order.",
				"About ${price} a person, huge portions.",
				"Go on a weekday lunch to skip the line.",
				"Let the dough double before shaping.",
				"Nothing fancy inside, but the food is incredible.",
				"Less oil, still full of flavour.",
			},
			closes: []string{
				"Address is in the location tag.",
				"What should I cook next?",
			},
			topics: []string{"foodie", "recipe", "homecooking", "探店"},
			slots: map[string][]string{
				"city":  {"Shanghai", "Paris", "Tokyo", "London", "New York", "Bangkok", "Melbourne"},
				"dish":  {"ramen", "dumplings", "sourdough", "cinnamon rolls", "hotpot", "croissants", "banana bread"},
				"price": {"12", "15", "20", "35"},
				"min":   {"10", "15", "20"},
			},
			bios:   []string{"eating my way around the world", "home cook, big appetite", "bread and butter"},
			boards: []string{"Recipes to try", "Restaurants"},
		},
	},
	film: {
		zh: {
			titles: []string{
				"重看{film}，{mood}",
				"{n}部{genre}电影，适合一个人的周末",
				"{film}里的穿搭和配色，美到截图",
				"一年看了200部电影，这{n}部最想推荐",
				"下雨天就该看{genre}片",
			},
			opens: []string{
				"第三次看{film}，还是哭了",
				"周末窝在家里看电影，整理一下片单",
				"最近剧荒的可以看看这篇",
			},
			lines: []string{
				"{film}的配乐真的太好了",
				"每一帧都可以当壁纸",
				"适合一个人安静地看",
				"节奏很慢，但后劲很大",
				"台词写得太好了，随手都是金句",
				"看完想马上去旅行",
			},
			closes: []string{
				"你们最近在看什么？",
				"欢迎补充片单～",
			},
			topics: []string{"电影推荐", "观影笔记", "片单", "治愈系电影"},
			slots: map[string][]string{
				"film":  {"《花样年华》", "《海上钢琴师》", "《小森林》", "《爱在黎明破晓前》", "《布达佩斯大饭店》", "《千与千寻》", "《情书》", "《请回答1988》"},
				"genre": {"治愈系", "悬疑", "文艺", "纪录", "动画"},
			},
			bios:   []string{"一年看200部电影", "影迷 | 片单分享", "只看好电影"},
			boards: []string{"周末电影", "想看的片"},
		},
		en: {
			titles: []string{
				"Rewatching {film}, {mood}",
				"{n} {genre} films for a quiet weekend",
				"The colour palette of {film}",
				"My favourite films this year",
			},
			opens: []string{
				"Third time watching {film} and I still cried.",
				"Rainy weekend, so here is my watchlist.",
			},
			lines: []string{
				"The soundtrack alone is worth it.",
				"Every frame could be a wallpaper.",
				"Slow, but it stays with you for days.",
				"Watch it alone with the lights off.",
				"The dialogue is so good.",
			},
			closes: []string{
				"What are you watching lately?",
				"Add your picks in the comments.",
			},
			topics: []string{"filmrecommendations", "movienight", "watchlist", "电影推荐"},
			slots: map[string][]string{
				"film":  {"Past Lives", "Before Sunrise", "Little Forest", "Spirited Away", "Aftersun", "Perfect Days", "In the Mood for Love"},
				"genre": {"comfort", "slow-burn", "feel-good", "animated", "documentary"},
			},
			bios:   []string{"films, mostly", "watchlist curator", "cinema on weekends"},
			boards: []string{"Watchlist", "Comfort films"},
		},
	},
}

// generalTopics are added to notes of any category now and then.
var generalTopics = [2][]string{
	zh: {"好物分享", "日常", "生活碎片", "我的日常"},
	en: {"dailylife", "favorites", "lifestyle"},
}

// locations are attached to travel and food notes (and a few others).
var locations = [2][]string{
	zh: {"上海·武康路", "成都·太古里", "杭州·西湖", "北京·三里屯", "大理·洱海", "厦门·鼓浪屿", "广州·东山口", "重庆·解放碑", "京都·祇园", "东京·涩谷", "香港·中环", "巴黎"},
	en: {"Kyoto, Japan", "Paris, France", "Lisbon, Portugal", "Seoul, Korea", "Tokyo, Japan", "Shanghai, China", "London, UK", "Copenhagen, Denmark"},
}

// Comments readers leave, and what authors answer.
var (
	comments = [2][]string{
		zh: {
			"太好看了吧！", "收藏了，下次试试", "求链接！", "博主好会", "这个色号黄皮能用吗？", "学到了，谢谢分享",
			"好想去啊", "已三连", "蹲一个后续", "哪里买的呀？", "姐妹好美", "这个价格也太香了", "马住", "真的有用，亲测",
			"请问身高体重多少呀", "看完立刻下单了", "第二张图绝了", "同款已入", "什么时候出教程呀", "周末就去！",
		},
		en: {
			"Saved for my trip next month", "Where is this from?", "This is so helpful, thank you!", "Obsessed with this",
			"Adding to my list", "Need the link please!", "How long did it take?", "Trying this tomorrow", "Love the colours",
			"Is it good for sensitive skin?", "You always have the best recs", "Bookmarked!", "The second photo though",
		},
	}
	replies = [2][]string{
		zh: {"链接在主页啦～", "谢谢喜欢！", "黄皮亲测可以的", "淘宝搜同款就有", "下期就出～", "可以的，放心冲", "哈哈哈同感", "私信你啦", "我也想知道"},
		en: {"Thank you so much!", "Link is in my bio", "About two weeks!", "Let me know how it goes!", "Same here", "Yes, it's gentle enough", "Haha exactly"},
	}
)

// People: display names paired with the romanisation used in usernames.
type namePart struct{ show, latin string }

var (
	zhFirst = []namePart{
		{"小鹿", "xiaolu"}, {"糯米", "nuomi"}, {"桃子", "taozi"}, {"Momo", "momo"}, {"可乐", "kele"}, {"柚子", "youzi"},
		{"芝芝", "zhizhi"}, {"阿May", "amay"}, {"林小满", "xiaoman"}, {"奶糖", "naitang"}, {"橘子", "juzi"}, {"团子", "tuanzi"},
		{"Echo", "echo"}, {"七七", "qiqi"}, {"安安", "anan"}, {"Yuki", "yuki"}, {"月亮", "yueliang"}, {"苏苏", "susu"},
		{"栗子", "lizi"}, {"Lulu", "lulu"}, {"Coco", "coco"}, {"豆豆", "doudou"}, {"木木", "mumu"}, {"阿杰", "ajie"},
		{"陈一一", "chenyiyi"}, {"王小鱼", "xiaoyu"}, {"周周", "zhouzhou"}, {"晴天", "qingtian"}, {"大橙子", "dachengzi"}, {"阿琳", "alin"},
	}
	zhSuffix = []namePart{
		{"爱旅行", "travels"}, {"的衣橱", "closet"}, {"酱", "jiang"}, {"不吃辣", "nospicy"}, {"在上海", "sh"}, {"的日常", "daily"},
		{"今天也要早睡", "sleepearly"}, {"的护肤笔记", "skin"}, {"去哪儿", "where"}, {"爱健身", "fit"}, {"看电影", "films"},
		{"", ""}, {"", ""}, {"", ""}, {"同学", "tongxue"}, {"吃什么", "eats"}, {"Daily", "daily"},
	}
	enFirst = []string{"Mia", "Lena", "Chloe", "Ava", "Sofia", "Grace", "Emma", "Nora", "Jade", "Ivy", "Leo", "Ethan",
		"Noah", "Lucas", "Zoe", "Ruby", "Hana", "Elise", "Maya", "Iris", "Sam", "Alex"}
	enLast = []string{"Chen", "Wang", "Lin", "Park", "Martin", "Rossi", "Nguyen", "Tan", "Silva", "Kim", "Moreau", "Lee", "Ito", "Novak"}
	enTag  = []string{"travels", "eats", "style", "skin", "fit", "films", "daily", "studio", "notes"}

	zhBioExtra = []string{"95后", "00后", "INFP", "合作请私信", "慢慢变好", "📍上海", "📍成都", "📍杭州", "📍北京", "📍广州", "认真生活"}
	enBioExtra = []string{"based in London", "Shanghai-based", "DM for collabs", "she/her", "coffee first", "Paris ↔ Seoul"}
	regions    = []string{"上海", "北京", "广东", "浙江", "四川", "江苏", "湖南", "重庆", "福建", "海外"}
)
