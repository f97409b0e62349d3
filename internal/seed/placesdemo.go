package seed

import (
	"context"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/places"
	"github.com/redmark/redmark/internal/shop"
)

// demoCity is a city of the demo's destinations, with its areas.
type demoCity struct {
	slug, zh, en string
	lat, lng     float64
	areas        []demoCity
}

// demoPlaces names every location the demo notes use (banks.go).
var demoPlaces = []struct {
	slug, zh, en string
	cities       []demoCity
}{
	{"japan", "日本", "Japan", []demoCity{
		{"tokyo", "东京", "Tokyo", 35.6812, 139.7671, []demoCity{{slug: "shibuya", zh: "涩谷", en: "Shibuya", lat: 35.6580, lng: 139.7016}}},
		{"kyoto", "京都", "Kyoto", 35.0116, 135.7681, []demoCity{{slug: "gion", zh: "祇园", en: "Gion", lat: 35.0037, lng: 135.7788}}},
	}},
	{"china", "中国", "China", []demoCity{
		{"shanghai", "上海", "Shanghai", 31.2304, 121.4737, []demoCity{{slug: "wukang-road", zh: "武康路", en: "Wukang Road", lat: 31.2075, lng: 121.4390}}},
		{"chengdu", "成都", "Chengdu", 30.5728, 104.0668, []demoCity{{slug: "taikoo-li", zh: "太古里", en: "Taikoo Li", lat: 30.6531, lng: 104.0833}}},
		{"hangzhou", "杭州", "Hangzhou", 30.2741, 120.1551, []demoCity{{slug: "west-lake", zh: "西湖", en: "West Lake", lat: 30.2431, lng: 120.1500}}},
		{"beijing", "北京", "Beijing", 39.9042, 116.4074, []demoCity{{slug: "sanlitun", zh: "三里屯", en: "Sanlitun", lat: 39.9365, lng: 116.4551}}},
		{"hong-kong", "香港", "Hong Kong", 22.3193, 114.1694, []demoCity{{slug: "central", zh: "中环", en: "Central", lat: 22.2819, lng: 114.1582}}},
	}},
	{"france", "法国", "France", []demoCity{{slug: "paris", zh: "巴黎", en: "Paris", lat: 48.8566, lng: 2.3522}}},
	{"korea", "韩国", "Korea", []demoCity{{slug: "seoul", zh: "首尔", en: "Seoul", lat: 37.5665, lng: 126.9780}}},
	{"portugal", "葡萄牙", "Portugal", []demoCity{{slug: "lisbon", zh: "里斯本", en: "Lisbon", lat: 38.7223, lng: -9.1393}}},
}

// demoDestinations creates the destinations, attaches the demo notes to
// them, and writes a published Tokyo guide and the demo user's shared
// shopping list.
func demoDestinations(ctx context.Context, a *app.App) error {
	s := a.Places
	var tokyo places.Place
	for _, c := range demoPlaces {
		country, err := s.Create(ctx, places.Input{Kind: places.Country, Slug: c.slug, NameZh: c.zh, NameEn: c.en})
		if err != nil {
			return err
		}
		for _, ci := range c.cities {
			city, err := s.Create(ctx, places.Input{ParentID: country.ID, Kind: places.City, Slug: ci.slug, NameZh: ci.zh, NameEn: ci.en, Lat: ci.lat, Lng: ci.lng})
			if err != nil {
				return err
			}
			if ci.slug == "tokyo" {
				tokyo = city
			}
			for _, ar := range ci.areas {
				if _, err := s.Create(ctx, places.Input{ParentID: city.ID, Kind: places.Area, Slug: ar.slug, NameZh: ar.zh, NameEn: ar.en, Lat: ar.lat, Lng: ar.lng}); err != nil {
					return err
				}
			}
		}
	}
	if _, err := s.AttachNew(ctx); err != nil {
		return err
	}
	top, err := s.TopNotes(ctx, tokyo, 6)
	if err != nil {
		return err
	}
	products, _, err := a.Shop.ListProducts(ctx, shop.ListFilter{Limit: 4})
	if err != nil {
		return err
	}
	admin, err := a.Accounts.GetByUsername(ctx, AdminUsername)
	if err != nil {
		return err
	}
	var noteItems, productItems []places.GuideItem
	for _, n := range top {
		noteItems = append(noteItems, places.GuideItem{Kind: places.ItemNote, RefID: n})
	}
	for _, p := range products {
		productItems = append(productItems, places.GuideItem{Kind: places.ItemProduct, RefID: p.ID})
	}
	gid, err := s.SaveGuide(ctx, admin.ID, 0, places.GuideInput{PlaceID: tokyo.ID, Title: "东京购物攻略 · 第一次去也不迷路",
		Intro: "涩谷、银座、药妆店和伴手礼：编辑部挑出社区里最受欢迎的东京笔记和好物，下载后离线也能看。",
		Sections: []places.Section{
			{Title: "大家都在逛", Body: "社区里收藏最多的东京笔记。", Items: noteItems},
			{Title: "行李箱里带回来", Body: "去过的人都在买的好物。", Items: productItems},
		}})
	if err != nil {
		return err
	}
	if err := s.SetPublished(ctx, gid, true); err != nil {
		return err
	}
	demo, err := a.Accounts.GetByUsername(ctx, DemoUsername)
	if err != nil {
		return err
	}
	l, err := s.CreateList(ctx, demo.ID, "东京五日清单", tokyo.ID)
	if err != nil {
		return err
	}
	for i, it := range append(noteItems[:min(3, len(noteItems))], productItems...) {
		if err := s.AddItem(ctx, demo.ID, l.ID, it.Kind, it.RefID); err != nil {
			return err
		}
		if i == 0 {
			lst, err := s.List(ctx, demo.ID, l.ID)
			if err != nil {
				return err
			}
			if err := s.SetBought(ctx, demo.ID, l.ID, lst.Items[0].ID, true); err != nil {
				return err
			}
		}
	}
	_, err = s.Share(ctx, demo.ID, l.ID, true)
	return err
}
