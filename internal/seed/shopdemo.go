package seed

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/orders"
	"github.com/redmark/redmark/internal/payments"
	"github.com/redmark/redmark/internal/productnotes"
	"github.com/redmark/redmark/internal/promotions"
	"github.com/redmark/redmark/internal/shop"
)

// The demo shop goes through the real services (stores, catalog,
// promotions, checkout, the sandbox's signed webhook, shipping, reviews),
// so every counter, stock level and points balance is what the API would
// have produced. It is small: a self-operated store, three official brand
// stores, about forty products, a running promotion and coupons, notes
// that link products, and a few orders in every state with reviews.

// Demo brand accounts (password DemoPassword).
var demoBrands = []struct{ username, display, store, desc string }{
	{"hanalab", "Hana Lab 花研", "Hana Lab 花研官方旗舰店", "日本小众护肤与彩妆，保税仓发货"},
	{"maisonrouge", "Maison Rouge", "Maison Rouge 官方旗舰店", "Paris-made knitwear and bags, shipped direct from France"},
	{"shanyefood", "山野食记", "山野食记官方旗舰店", "云南山野好物：菌菇、花茶、鲜花饼"},
}

type demoProduct struct {
	store      int // 0: 福利社, 1..3: demoBrands
	cat        string
	title      string
	brand      string
	origin     string
	fulfilment string
	option     string
	values     []string
	price      int64 // fen
	stock      int64
}

var demoCategories = []struct{ slug, name, zh string }{
	{"skincare", "Skincare", "护肤"}, {"makeup", "Makeup", "彩妆"}, {"fashion", "Fashion", "服饰"}, {"food", "Food", "美食"},
}

var demoCatalog = []demoProduct{
	{0, "skincare", "积雪草修护精华 30ml", "Redmark Select", "KR", shop.Bonded, "规格", []string{"30ml", "50ml"}, 15900, 200},
	{0, "skincare", "氨基酸洁面乳 120g", "Redmark Select", "CN", shop.Domestic, "", nil, 5900, 500},
	{0, "skincare", "Vitamin C Brightening Serum", "Redmark Select", "US", shop.OverseasDirect, "", nil, 22900, 120},
	{0, "makeup", "丝绒雾面唇釉", "Redmark Select", "CN", shop.Domestic, "色号", []string{"#01 胭脂", "#05 豆沙", "#12 正红"}, 8900, 300},
	{0, "makeup", "Cushion Foundation SPF50", "Redmark Select", "KR", shop.Bonded, "Shade", []string{"Ivory", "Natural", "Sand"}, 16800, 150},
	{0, "fashion", "纯棉基础白T", "Redmark Select", "CN", shop.Domestic, "尺码", []string{"S", "M", "L", "XL"}, 7900, 400},
	{0, "fashion", "Canvas Tote Bag", "Redmark Select", "CN", shop.Domestic, "", nil, 4900, 300},
	{0, "food", "云南小粒咖啡豆 250g", "Redmark Select", "CN", shop.Domestic, "烘焙度", []string{"中烘", "深烘"}, 6800, 250},
	{0, "food", "冻干草莓脆 50g", "Redmark Select", "CN", shop.Domestic, "", nil, 2990, 600},
	{0, "food", "Matcha Latte Powder", "Redmark Select", "JP", shop.OverseasDirect, "", nil, 8800, 100},
	{1, "skincare", "花研 米糠温和化妆水 200ml", "Hana Lab", "JP", shop.Bonded, "", nil, 12800, 300},
	{1, "skincare", "花研 神经酰胺保湿面霜", "Hana Lab", "JP", shop.Bonded, "规格", []string{"50g", "80g"}, 19800, 200},
	{1, "skincare", "花研 樱花卸妆油 150ml", "Hana Lab", "JP", shop.Bonded, "", nil, 9800, 250},
	{1, "skincare", "Hana Lab Sun Milk SPF50+", "Hana Lab", "JP", shop.OverseasDirect, "", nil, 13800, 180},
	{1, "skincare", "花研 玻尿酸面膜 5 片装", "Hana Lab", "JP", shop.Bonded, "", nil, 6900, 400},
	{1, "makeup", "花研 柔焦散粉", "Hana Lab", "JP", shop.Bonded, "色号", []string{"透明", "自然"}, 11800, 200},
	{1, "makeup", "花研 细芯眉笔", "Hana Lab", "JP", shop.Bonded, "颜色", []string{"灰棕", "深棕", "浅棕"}, 5800, 300},
	{1, "makeup", "Hana Lab Cream Blush", "Hana Lab", "JP", shop.Bonded, "Shade", []string{"Peach", "Rose", "Coral"}, 8800, 220},
	{1, "makeup", "花研 纤长睫毛膏", "Hana Lab", "JP", shop.Bonded, "", nil, 7800, 260},
	{1, "skincare", "花研 旅行装化妆水 30ml（赠品）", "Hana Lab", "JP", shop.Bonded, "", nil, 1900, 60},
	{2, "fashion", "Merino Crew Sweater", "Maison Rouge", "FR", shop.OverseasDirect, "Size", []string{"XS", "S", "M", "L"}, 89900, 40},
	{2, "fashion", "羊绒围巾", "Maison Rouge", "FR", shop.OverseasDirect, "颜色", []string{"燕麦", "酒红", "藏青"}, 69900, 60},
	{2, "fashion", "Leather Saddle Bag", "Maison Rouge", "FR", shop.OverseasDirect, "Colour", []string{"Tan", "Black"}, 249900, 25},
	{2, "fashion", "法式条纹海魂衫", "Maison Rouge", "FR", shop.OverseasDirect, "尺码", []string{"S", "M", "L"}, 45900, 80},
	{2, "fashion", "Wool Beret", "Maison Rouge", "FR", shop.OverseasDirect, "Colour", []string{"Black", "Camel", "Red"}, 29900, 70},
	{2, "fashion", "真丝方巾 70cm", "Maison Rouge", "FR", shop.OverseasDirect, "", nil, 59900, 50},
	{2, "fashion", "Cotton Trench Coat", "Maison Rouge", "FR", shop.OverseasDirect, "Size", []string{"S", "M", "L"}, 329900, 20},
	{2, "fashion", "芭蕾平底鞋", "Maison Rouge", "FR", shop.OverseasDirect, "尺码", []string{"36", "37", "38", "39"}, 129900, 30},
	{2, "makeup", "Rouge Velvet Lipstick", "Maison Rouge", "FR", shop.OverseasDirect, "Shade", []string{"Rouge", "Nude"}, 32900, 90},
	{2, "fashion", "Knit Beanie", "Maison Rouge", "FR", shop.OverseasDirect, "", nil, 25900, 60},
	{3, "food", "云南野生牛肝菌干 100g", "山野食记", "CN", shop.Domestic, "", nil, 12800, 200},
	{3, "food", "玫瑰鲜花饼 6 枚装", "山野食记", "CN", shop.Domestic, "口味", []string{"玫瑰", "茉莉", "混合"}, 4900, 500},
	{3, "food", "古树普洱茶饼 357g", "山野食记", "CN", shop.Domestic, "年份", []string{"2018", "2020"}, 26800, 80},
	{3, "food", "菌菇火锅底料", "山野食记", "CN", shop.Domestic, "辣度", []string{"微辣", "中辣", "特辣"}, 3900, 600},
	{3, "food", "洱海红茶 100g", "山野食记", "CN", shop.Domestic, "", nil, 8800, 300},
	{3, "food", "Dried Mango Slices 200g", "山野食记", "CN", shop.Domestic, "", nil, 3290, 400},
	{3, "food", "云南小粒咖啡挂耳 10 包", "山野食记", "CN", shop.Domestic, "", nil, 5900, 350},
	{3, "food", "野生蜂蜜 500g", "山野食记", "CN", shop.Domestic, "", nil, 9800, 150},
	{3, "food", "Wild Mushroom Soup Kit", "山野食记", "CN", shop.Domestic, "", nil, 6800, 200},
	{3, "food", "手工酸梅汤 10 袋", "山野食记", "CN", shop.Domestic, "", nil, 3600, 500},
}

var demoAddress = orders.Address{Name: "林小红", Phone: "138 0013 8000", Region: "上海市 徐汇区", Line: "漕溪北路 88 号 6 楼"}

var demoReviews = []string{
	"质地很清爽，用了一周皮肤稳定多了，会回购。",
	"包装很用心，物流也快，颜色和图片一致。",
	"Lovely quality, fits true to size. Shipping took a week but worth it.",
	"味道很正，家里人都很喜欢，已经推荐给朋友。",
	"性价比很高，活动价入手很划算 #好物分享",
	"Smells amazing and lasts all day. Would buy again.",
}

// shopSeeder carries the demo shop's state between steps.
type shopSeeder struct {
	a        *app.App
	r        *rand.Rand
	op       accounts.User
	stores   []shop.Store
	managers []accounts.User // manager of stores[i]
	products []shop.Product
}

// demoShop loads the demo shop; it runs after the community so it can
// link notes and use members as buyers.
func demoShop(ctx context.Context, a *app.App, seed uint64) error {
	start := time.Now()
	s := &shopSeeder{a: a, r: rand.New(rand.NewPCG(seed, 0x5709))}
	var err error
	if s.op, err = a.Accounts.GetByUsername(ctx, AdminUsername); err != nil {
		return err
	}
	for _, step := range []func(context.Context) error{s.storesAndCatalog, s.offers, s.linkNotes, s.orders} {
		if err := step(ctx); err != nil {
			return fmt.Errorf("demo shop: %w", err)
		}
	}
	slog.Info("demo shop ready", "stores", len(s.stores), "products", len(s.products), "elapsed", time.Since(start).Round(time.Millisecond).String())
	return nil
}

func (s *shopSeeder) storesAndCatalog(ctx context.Context) error {
	a := s.a
	cats := map[string]id.ID{}
	for _, c := range demoCategories {
		cat, err := a.Shop.CreateCategory(ctx, s.op, shop.Category{Slug: c.slug, Name: c.name, NameZH: c.zh})
		if err != nil {
			return err
		}
		cats[c.slug] = cat.ID
	}
	st, err := a.Shop.CreateStore(ctx, s.op, shop.StoreInput{Name: "福利社", Description: "Redmark 自营：正品保障，次日达", Kind: shop.SelfOperated})
	if err != nil {
		return err
	}
	s.stores, s.managers = append(s.stores, st), append(s.managers, s.op)
	for _, b := range demoBrands {
		u, _, err := a.Accounts.SignUp(ctx, b.username, DemoPassword, b.display, "seed")
		if err != nil {
			return err
		}
		if err := a.Accounts.SetRole(ctx, u.ID, accounts.RoleBrand); err != nil {
			return err
		}
		if u, err = a.Accounts.Get(ctx, u.ID); err != nil {
			return err
		}
		st, err := a.Shop.CreateStore(ctx, u, shop.StoreInput{Name: b.store, Description: b.desc, Kind: shop.Flagship})
		if err != nil {
			return err
		}
		if st, err = a.Shop.VerifyStore(ctx, s.op, st.ID, true); err != nil {
			return err
		}
		s.stores, s.managers = append(s.stores, st), append(s.managers, u)
	}
	for _, dp := range demoCatalog {
		mgr := s.managers[dp.store]
		img, err := s.image(ctx, mgr.ID, dp.cat)
		if err != nil {
			return err
		}
		in := shop.ProductInput{StoreID: s.stores[dp.store].ID, Title: dp.title, Brand: dp.brand, OriginCountry: dp.origin,
			Fulfilment: dp.fulfilment, ImageIDs: []id.ID{img}, Description: dp.title + " — " + dp.brand}
		cid := cats[dp.cat]
		in.CategoryID = &cid
		if dp.fulfilment == shop.OverseasDirect {
			in.ShippingFee = 2000
		} else if dp.price < 9900 {
			in.ShippingFee = 800
		}
		if dp.option == "" {
			in.SKUs = []shop.SKUInput{{Options: map[string]string{}, Price: dp.price, Stock: dp.stock}}
		} else {
			in.Options = []shop.Option{{Name: dp.option, Values: dp.values}}
			for i, v := range dp.values {
				in.SKUs = append(in.SKUs, shop.SKUInput{Options: map[string]string{dp.option: v}, Price: dp.price + int64(i)*1000, Stock: dp.stock})
			}
		}
		p, err := a.Shop.CreateProduct(ctx, mgr, in)
		if err != nil {
			return err
		}
		s.products = append(s.products, p)
	}
	return nil
}

// image draws a product picture and uploads it as owner.
func (s *shopSeeder) image(ctx context.Context, owner id.ID, cat string) (id.ID, error) {
	c := map[string]category{"skincare": skincare, "makeup": makeup, "fashion": fashion, "food": food}[cat]
	b, err := encodeJPEG(newScene(s.r, c).render(480, 480))
	if err != nil {
		return 0, err
	}
	m, err := s.a.Media.Upload(ctx, owner, "product.jpg", bytes.NewReader(b))
	return m.ID, err
}

// offers: Red Friday on the self-operated store, free direct mail
// platform-wide, a gift at Hana Lab, and coupons.
func (s *shopSeeder) offers(ctx context.Context) error {
	a, now := s.a, time.Now().Add(-time.Hour)
	week := now.Add(8 * 24 * time.Hour)
	self, hana := s.stores[0].ID, s.stores[1].ID
	var gift id.ID
	for _, p := range s.products {
		if p.StoreID == hana && p.PriceMin == 1900 {
			gift = p.SKUs[0].ID
		}
	}
	for _, p := range []struct {
		actor accounts.User
		promo promotions.Promotion
	}{
		{s.op, promotions.Promotion{StoreID: &self, Name: "Red Friday 红色星期五 8 折", Kind: promotions.Percent, Scope: promotions.ScopeStore,
			ScopeID: &self, PercentOff: 20, StartsAt: now, EndsAt: week}},
		{s.op, promotions.Promotion{Name: "海外直邮包邮", Kind: promotions.FreeShipping, Scope: promotions.ScopeAll,
			Fulfilment: shop.OverseasDirect, StartsAt: now, EndsAt: week}},
		{s.managers[1], promotions.Promotion{StoreID: &hana, Name: "满 299 赠旅行装化妆水", Kind: promotions.Gift, Scope: promotions.ScopeStore,
			ScopeID: &hana, Threshold: 29900, GiftSKUID: &gift, StartsAt: now, EndsAt: week}},
	} {
		if _, err := a.Promotions.CreatePromotion(ctx, p.actor, p.promo); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		actor accounts.User
		c     promotions.Coupon
	}{
		{s.op, promotions.Coupon{StoreID: &self, Code: "REDMARK20", Name: "福利社满 199 减 20", Kind: promotions.Fixed, AmountOff: 2000,
			Threshold: 19900, Scope: promotions.ScopeStore, ScopeID: &self, PerUserLimit: 1, Quota: 1000, StartsAt: now, EndsAt: week}},
		{s.managers[1], promotions.Coupon{StoreID: &hana, Code: "HANA10", Name: "花研 9 折券", Kind: promotions.Percent, PercentOff: 10,
			Scope: promotions.ScopeStore, ScopeID: &hana, PerUserLimit: 2, Quota: 500, StartsAt: now, EndsAt: week}},
	} {
		if _, err := a.Promotions.CreateCoupon(ctx, c.actor, c.c); err != nil {
			return err
		}
	}
	return nil
}

// linkNotes links products to popular notes of the matching category, by
// their authors, through the notes service.
func (s *shopSeeder) linkNotes(ctx context.Context) error {
	rows, err := s.a.DB.Reader(ctx).Query(ctx, `SELECT id, author_id FROM notes WHERE status = 'published'
		ORDER BY like_count DESC, id LIMIT 24`)
	if err != nil {
		return err
	}
	type ref struct{ note, author id.ID }
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.note, &r.author); err != nil {
			rows.Close()
			return err
		}
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, r := range refs {
		author, err := s.a.Accounts.Get(ctx, r.author)
		if err != nil {
			return err
		}
		ids := []id.ID{s.products[i%len(s.products)].ID}
		if i%3 == 0 {
			ids = append(ids, s.products[(i*7+3)%len(s.products)].ID)
		}
		if _, err := s.a.Notes.Update(ctx, author, r.note, notes.Patch{ProductIDs: &ids}); err != nil {
			return err
		}
	}
	return nil
}

// orders: completed orders with reviews (some published as notes), and a
// few left paid, shipped or with a refund request for the consoles.
func (s *shopSeeder) orders(ctx context.Context) error {
	a := s.a
	demo, err := a.Accounts.GetByUsername(ctx, DemoUsername)
	if err != nil {
		return err
	}
	rows, err := a.DB.Reader(ctx).Query(ctx, "SELECT id FROM users WHERE role = 'user' AND username <> ? ORDER BY id LIMIT 8", DemoUsername)
	if err != nil {
		return err
	}
	buyers := []accounts.User{demo}
	for rows.Next() {
		var uid id.ID
		if err := rows.Scan(&uid); err != nil {
			rows.Close()
			return err
		}
		u, err := a.Accounts.Get(ctx, uid)
		if err != nil {
			rows.Close()
			return err
		}
		buyers = append(buyers, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, b := range buyers {
		// Two products per buyer from different stores; the last orders
		// stay open so the consoles have work.
		for k := 0; k < 2; k++ {
			p := s.products[(i*5+k*17)%len(s.products)]
			sku := p.SKUs[s.r.IntN(len(p.SKUs))].ID
			store := 0
			for j, st := range s.stores {
				if st.ID == p.StoreID {
					store = j
				}
			}
			o, _, err := a.Orders.Create(ctx, b, fmt.Sprintf("demo-%d-%d", i, k), orders.CreateRequest{
				Items: []orders.LineRequest{{SKUID: sku, Quantity: 1 + int64(s.r.IntN(2))}}, Address: demoAddress})
			if err != nil {
				return err
			}
			if err := s.pay(ctx, b, o.ID); err != nil {
				return err
			}
			stage := (i*2 + k) % 6
			if stage == 5 {
				continue // paid, waiting to be shipped
			}
			mgr := s.managers[store]
			if _, err := a.Orders.Ship(ctx, mgr, o.ID, orders.Shipment{Carrier: "顺丰速运", TrackingNumber: fmt.Sprintf("SF%010d", 3100000000+i*10+k)}); err != nil {
				return err
			}
			if stage == 4 {
				continue // on its way
			}
			if _, err := a.Orders.Track(ctx, mgr, o.ID, orders.TrackingUpdate{Description: "快件已到达上海转运中心", Location: "上海"}); err != nil {
				return err
			}
			if _, err := a.Orders.Track(ctx, mgr, o.ID, orders.TrackingUpdate{Description: "已签收，感谢使用顺丰", Delivered: true}); err != nil {
				return err
			}
			if stage == 3 {
				if _, err := a.Orders.RequestRefund(ctx, b, o.ID, orders.AfterSaleRequest{Reason: "尺码不合适，想退货"}); err != nil {
					return err
				}
				continue
			}
			if _, err := a.Orders.Complete(ctx, b, o.ID); err != nil {
				return err
			}
			in := productnotes.ReviewInput{Rating: 4 + s.r.IntN(2), Body: demoReviews[(i+k)%len(demoReviews)]}
			if stage == 0 {
				img, err := s.image(ctx, b.ID, "skincare")
				if err != nil {
					return err
				}
				in.MediaIDs, in.PublishAsNote = []id.ID{img}, true
				in.Body += " #买家秀" // every demo note has a topic
			}
			if _, err := a.ProductNotes.CreateReview(ctx, b, p.ID, in); err != nil {
				return err
			}
		}
	}
	return nil
}

// pay starts a payment and delivers the sandbox's signed webhook through
// the same verification and state change as the HTTP handler.
func (s *shopSeeder) pay(ctx context.Context, buyer accounts.User, oid id.ID) error {
	it, err := s.a.Orders.Pay(ctx, buyer, oid)
	if err != nil {
		return err
	}
	body, sig := s.a.Sandbox.Webhook(it, payments.EventSucceeded, time.Now())
	ev, err := s.a.Payments.Verify(payments.SandboxName, http.Header{payments.SignatureHeader: {sig}}, body)
	if err != nil {
		return err
	}
	return s.a.Orders.ApplyPaymentEvent(ctx, ev)
}
