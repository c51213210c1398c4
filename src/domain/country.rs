//! ISO 3166-1 alpha-2 countries: English names from the iso-codes data set, Chinese names
//! from CLDR, and each language's sort order.

/// (code, English name, Simplified Chinese name, Traditional Chinese name), in English order.
/// The Chinese names are CLDR 48.2.0's (`scripts/countries.mjs` regenerates them).
pub const COUNTRIES: &[(&str, &str, &str, &str)] = &[
    ("AF", "Afghanistan", "阿富汗", "阿富汗"),
    ("AL", "Albania", "阿尔巴尼亚", "阿爾巴尼亞"),
    ("DZ", "Algeria", "阿尔及利亚", "阿爾及利亞"),
    ("AS", "American Samoa", "美属萨摩亚", "美屬薩摩亞"),
    ("AD", "Andorra", "安道尔", "安道爾"),
    ("AO", "Angola", "安哥拉", "安哥拉"),
    ("AI", "Anguilla", "安圭拉", "安奎拉"),
    ("AQ", "Antarctica", "南极洲", "南極洲"),
    (
        "AG",
        "Antigua and Barbuda",
        "安提瓜和巴布达",
        "安地卡及巴布達",
    ),
    ("AR", "Argentina", "阿根廷", "阿根廷"),
    ("AM", "Armenia", "亚美尼亚", "亞美尼亞"),
    ("AW", "Aruba", "阿鲁巴", "荷屬阿魯巴"),
    ("AU", "Australia", "澳大利亚", "澳洲"),
    ("AT", "Austria", "奥地利", "奧地利"),
    ("AZ", "Azerbaijan", "阿塞拜疆", "亞塞拜然"),
    ("BS", "Bahamas", "巴哈马", "巴哈馬"),
    ("BH", "Bahrain", "巴林", "巴林"),
    ("BD", "Bangladesh", "孟加拉国", "孟加拉"),
    ("BB", "Barbados", "巴巴多斯", "巴貝多"),
    ("BY", "Belarus", "白俄罗斯", "白俄羅斯"),
    ("BE", "Belgium", "比利时", "比利時"),
    ("BZ", "Belize", "伯利兹", "貝里斯"),
    ("BJ", "Benin", "贝宁", "貝南"),
    ("BM", "Bermuda", "百慕大", "百慕達"),
    ("BT", "Bhutan", "不丹", "不丹"),
    ("BO", "Bolivia", "玻利维亚", "玻利維亞"),
    (
        "BQ",
        "Bonaire, Sint Eustatius and Saba",
        "荷属加勒比区",
        "荷蘭加勒比區",
    ),
    (
        "BA",
        "Bosnia and Herzegovina",
        "波斯尼亚和黑塞哥维那",
        "波士尼亞與赫塞哥維納",
    ),
    ("BW", "Botswana", "博茨瓦纳", "波札那"),
    ("BV", "Bouvet Island", "布韦岛", "布威島"),
    ("BR", "Brazil", "巴西", "巴西"),
    (
        "IO",
        "British Indian Ocean Territory",
        "英属印度洋领地",
        "英屬印度洋領地",
    ),
    ("BN", "Brunei Darussalam", "文莱", "汶萊"),
    ("BG", "Bulgaria", "保加利亚", "保加利亞"),
    ("BF", "Burkina Faso", "布基纳法索", "布吉納法索"),
    ("BI", "Burundi", "布隆迪", "蒲隆地"),
    ("CV", "Cabo Verde", "佛得角", "維德角"),
    ("KH", "Cambodia", "柬埔寨", "柬埔寨"),
    ("CM", "Cameroon", "喀麦隆", "喀麥隆"),
    ("CA", "Canada", "加拿大", "加拿大"),
    ("KY", "Cayman Islands", "开曼群岛", "開曼群島"),
    ("CF", "Central African Republic", "中非共和国", "中非共和國"),
    ("TD", "Chad", "乍得", "查德"),
    ("CL", "Chile", "智利", "智利"),
    ("CN", "China", "中国", "中國"),
    ("CX", "Christmas Island", "圣诞岛", "聖誕島"),
    (
        "CC",
        "Cocos (Keeling) Islands",
        "科科斯（基林）群岛",
        "科克斯（基靈）群島",
    ),
    ("CO", "Colombia", "哥伦比亚", "哥倫比亞"),
    ("KM", "Comoros", "科摩罗", "葛摩"),
    ("CG", "Congo", "刚果（布）", "剛果（布拉薩）"),
    (
        "CD",
        "Congo, The Democratic Republic of the",
        "刚果（金）",
        "剛果（金夏沙）",
    ),
    ("CK", "Cook Islands", "库克群岛", "庫克群島"),
    ("CR", "Costa Rica", "哥斯达黎加", "哥斯大黎加"),
    ("HR", "Croatia", "克罗地亚", "克羅埃西亞"),
    ("CU", "Cuba", "古巴", "古巴"),
    ("CW", "Curaçao", "库拉索", "庫拉索"),
    ("CY", "Cyprus", "塞浦路斯", "賽普勒斯"),
    ("CZ", "Czechia", "捷克", "捷克"),
    ("CI", "Côte d'Ivoire", "科特迪瓦", "象牙海岸"),
    ("DK", "Denmark", "丹麦", "丹麥"),
    ("DJ", "Djibouti", "吉布提", "吉布地"),
    ("DM", "Dominica", "多米尼克", "多米尼克"),
    (
        "DO",
        "Dominican Republic",
        "多米尼加共和国",
        "多明尼加共和國",
    ),
    ("EC", "Ecuador", "厄瓜多尔", "厄瓜多"),
    ("EG", "Egypt", "埃及", "埃及"),
    ("SV", "El Salvador", "萨尔瓦多", "薩爾瓦多"),
    ("GQ", "Equatorial Guinea", "赤道几内亚", "赤道幾內亞"),
    ("ER", "Eritrea", "厄立特里亚", "厄利垂亞"),
    ("EE", "Estonia", "爱沙尼亚", "愛沙尼亞"),
    ("SZ", "Eswatini", "斯威士兰", "史瓦帝尼"),
    ("ET", "Ethiopia", "埃塞俄比亚", "衣索比亞"),
    (
        "FK",
        "Falkland Islands (Malvinas)",
        "福克兰群岛",
        "福克蘭群島",
    ),
    ("FO", "Faroe Islands", "法罗群岛", "法羅群島"),
    ("FJ", "Fiji", "斐济", "斐濟"),
    ("FI", "Finland", "芬兰", "芬蘭"),
    ("FR", "France", "法国", "法國"),
    ("GF", "French Guiana", "法属圭亚那", "法屬圭亞那"),
    ("PF", "French Polynesia", "法属波利尼西亚", "法屬玻里尼西亞"),
    (
        "TF",
        "French Southern Territories",
        "法属南部领地",
        "法屬南部屬地",
    ),
    ("GA", "Gabon", "加蓬", "加彭"),
    ("GM", "Gambia", "冈比亚", "甘比亞"),
    ("GE", "Georgia", "格鲁吉亚", "喬治亞"),
    ("DE", "Germany", "德国", "德國"),
    ("GH", "Ghana", "加纳", "迦納"),
    ("GI", "Gibraltar", "直布罗陀", "直布羅陀"),
    ("GR", "Greece", "希腊", "希臘"),
    ("GL", "Greenland", "格陵兰", "格陵蘭"),
    ("GD", "Grenada", "格林纳达", "格瑞那達"),
    ("GP", "Guadeloupe", "瓜德罗普", "瓜地洛普"),
    ("GU", "Guam", "关岛", "關島"),
    ("GT", "Guatemala", "危地马拉", "瓜地馬拉"),
    ("GG", "Guernsey", "根西岛", "根息"),
    ("GN", "Guinea", "几内亚", "幾內亞"),
    ("GW", "Guinea-Bissau", "几内亚比绍", "幾內亞比索"),
    ("GY", "Guyana", "圭亚那", "蓋亞那"),
    ("HT", "Haiti", "海地", "海地"),
    (
        "HM",
        "Heard Island and McDonald Islands",
        "赫德岛和麦克唐纳群岛",
        "赫德島及麥唐納群島",
    ),
    ("VA", "Holy See (Vatican City State)", "梵蒂冈", "梵蒂岡"),
    ("HN", "Honduras", "洪都拉斯", "宏都拉斯"),
    (
        "HK",
        "Hong Kong",
        "中国香港特别行政区",
        "中國香港特別行政區",
    ),
    ("HU", "Hungary", "匈牙利", "匈牙利"),
    ("IS", "Iceland", "冰岛", "冰島"),
    ("IN", "India", "印度", "印度"),
    ("ID", "Indonesia", "印度尼西亚", "印尼"),
    ("IR", "Iran", "伊朗", "伊朗"),
    ("IQ", "Iraq", "伊拉克", "伊拉克"),
    ("IE", "Ireland", "爱尔兰", "愛爾蘭"),
    ("IM", "Isle of Man", "马恩岛", "曼島"),
    ("IL", "Israel", "以色列", "以色列"),
    ("IT", "Italy", "意大利", "義大利"),
    ("JM", "Jamaica", "牙买加", "牙買加"),
    ("JP", "Japan", "日本", "日本"),
    ("JE", "Jersey", "泽西岛", "澤西島"),
    ("JO", "Jordan", "约旦", "約旦"),
    ("KZ", "Kazakhstan", "哈萨克斯坦", "哈薩克"),
    ("KE", "Kenya", "肯尼亚", "肯亞"),
    ("KI", "Kiribati", "基里巴斯", "吉里巴斯"),
    ("KW", "Kuwait", "科威特", "科威特"),
    ("KG", "Kyrgyzstan", "吉尔吉斯斯坦", "吉爾吉斯"),
    ("LA", "Laos", "老挝", "寮國"),
    ("LV", "Latvia", "拉脱维亚", "拉脫維亞"),
    ("LB", "Lebanon", "黎巴嫩", "黎巴嫩"),
    ("LS", "Lesotho", "莱索托", "賴索托"),
    ("LR", "Liberia", "利比里亚", "賴比瑞亞"),
    ("LY", "Libya", "利比亚", "利比亞"),
    ("LI", "Liechtenstein", "列支敦士登", "列支敦斯登"),
    ("LT", "Lithuania", "立陶宛", "立陶宛"),
    ("LU", "Luxembourg", "卢森堡", "盧森堡"),
    ("MO", "Macao", "中国澳门特别行政区", "中國澳門特別行政區"),
    ("MG", "Madagascar", "马达加斯加", "馬達加斯加"),
    ("MW", "Malawi", "马拉维", "馬拉威"),
    ("MY", "Malaysia", "马来西亚", "馬來西亞"),
    ("MV", "Maldives", "马尔代夫", "馬爾地夫"),
    ("ML", "Mali", "马里", "馬利"),
    ("MT", "Malta", "马耳他", "馬爾他"),
    ("MH", "Marshall Islands", "马绍尔群岛", "馬紹爾群島"),
    ("MQ", "Martinique", "马提尼克", "馬丁尼克"),
    ("MR", "Mauritania", "毛里塔尼亚", "茅利塔尼亞"),
    ("MU", "Mauritius", "毛里求斯", "模里西斯"),
    ("YT", "Mayotte", "马约特", "馬約特島"),
    ("MX", "Mexico", "墨西哥", "墨西哥"),
    (
        "FM",
        "Micronesia, Federated States of",
        "密克罗尼西亚",
        "密克羅尼西亞",
    ),
    ("MD", "Moldova", "摩尔多瓦", "摩爾多瓦"),
    ("MC", "Monaco", "摩纳哥", "摩納哥"),
    ("MN", "Mongolia", "蒙古", "蒙古"),
    ("ME", "Montenegro", "黑山", "蒙特內哥羅"),
    ("MS", "Montserrat", "蒙特塞拉特", "蒙哲臘"),
    ("MA", "Morocco", "摩洛哥", "摩洛哥"),
    ("MZ", "Mozambique", "莫桑比克", "莫三比克"),
    ("MM", "Myanmar", "缅甸", "緬甸"),
    ("NA", "Namibia", "纳米比亚", "納米比亞"),
    ("NR", "Nauru", "瑙鲁", "諾魯"),
    ("NP", "Nepal", "尼泊尔", "尼泊爾"),
    ("NL", "Netherlands", "荷兰", "荷蘭"),
    ("NC", "New Caledonia", "新喀里多尼亚", "新喀里多尼亞"),
    ("NZ", "New Zealand", "新西兰", "紐西蘭"),
    ("NI", "Nicaragua", "尼加拉瓜", "尼加拉瓜"),
    ("NE", "Niger", "尼日尔", "尼日"),
    ("NG", "Nigeria", "尼日利亚", "奈及利亞"),
    ("NU", "Niue", "纽埃", "紐埃島"),
    ("NF", "Norfolk Island", "诺福克岛", "諾福克島"),
    ("KP", "North Korea", "朝鲜", "北韓"),
    ("MK", "North Macedonia", "北马其顿", "北馬其頓"),
    (
        "MP",
        "Northern Mariana Islands",
        "北马里亚纳群岛",
        "北馬利安納群島",
    ),
    ("NO", "Norway", "挪威", "挪威"),
    ("OM", "Oman", "阿曼", "阿曼"),
    ("PK", "Pakistan", "巴基斯坦", "巴基斯坦"),
    ("PW", "Palau", "帕劳", "帛琉"),
    (
        "PS",
        "Palestine, State of",
        "巴勒斯坦领土",
        "巴勒斯坦自治區",
    ),
    ("PA", "Panama", "巴拿马", "巴拿馬"),
    ("PG", "Papua New Guinea", "巴布亚新几内亚", "巴布亞紐幾內亞"),
    ("PY", "Paraguay", "巴拉圭", "巴拉圭"),
    ("PE", "Peru", "秘鲁", "秘魯"),
    ("PH", "Philippines", "菲律宾", "菲律賓"),
    ("PN", "Pitcairn", "皮特凯恩群岛", "皮特肯群島"),
    ("PL", "Poland", "波兰", "波蘭"),
    ("PT", "Portugal", "葡萄牙", "葡萄牙"),
    ("PR", "Puerto Rico", "波多黎各", "波多黎各"),
    ("QA", "Qatar", "卡塔尔", "卡達"),
    ("RO", "Romania", "罗马尼亚", "羅馬尼亞"),
    ("RU", "Russian Federation", "俄罗斯", "俄羅斯"),
    ("RW", "Rwanda", "卢旺达", "盧安達"),
    ("RE", "Réunion", "留尼汪", "留尼旺"),
    ("BL", "Saint Barthélemy", "圣巴泰勒米", "聖巴瑟米"),
    (
        "SH",
        "Saint Helena, Ascension and Tristan da Cunha",
        "圣赫勒拿",
        "聖赫勒拿島",
    ),
    (
        "KN",
        "Saint Kitts and Nevis",
        "圣基茨和尼维斯",
        "聖克里斯多福及尼維斯",
    ),
    ("LC", "Saint Lucia", "圣卢西亚", "聖露西亞"),
    (
        "MF",
        "Saint Martin (French part)",
        "法属圣马丁",
        "法屬聖馬丁",
    ),
    (
        "PM",
        "Saint Pierre and Miquelon",
        "圣皮埃尔和密克隆群岛",
        "聖皮埃與密克隆群島",
    ),
    (
        "VC",
        "Saint Vincent and the Grenadines",
        "圣文森特和格林纳丁斯",
        "聖文森及格瑞那丁",
    ),
    ("WS", "Samoa", "萨摩亚", "薩摩亞"),
    ("SM", "San Marino", "圣马力诺", "聖馬利諾"),
    (
        "ST",
        "Sao Tome and Principe",
        "圣多美和普林西比",
        "聖多美普林西比",
    ),
    ("SA", "Saudi Arabia", "沙特阿拉伯", "沙烏地阿拉伯"),
    ("SN", "Senegal", "塞内加尔", "塞內加爾"),
    ("RS", "Serbia", "塞尔维亚", "塞爾維亞"),
    ("SC", "Seychelles", "塞舌尔", "塞席爾"),
    ("SL", "Sierra Leone", "塞拉利昂", "獅子山"),
    ("SG", "Singapore", "新加坡", "新加坡"),
    (
        "SX",
        "Sint Maarten (Dutch part)",
        "荷属圣马丁",
        "荷屬聖馬丁",
    ),
    ("SK", "Slovakia", "斯洛伐克", "斯洛伐克"),
    ("SI", "Slovenia", "斯洛文尼亚", "斯洛維尼亞"),
    ("SB", "Solomon Islands", "所罗门群岛", "索羅門群島"),
    ("SO", "Somalia", "索马里", "索馬利亞"),
    ("ZA", "South Africa", "南非", "南非"),
    (
        "GS",
        "South Georgia and the South Sandwich Islands",
        "南乔治亚和南桑威奇群岛",
        "南喬治亞與南三明治群島",
    ),
    ("KR", "South Korea", "韩国", "南韓"),
    ("SS", "South Sudan", "南苏丹", "南蘇丹"),
    ("ES", "Spain", "西班牙", "西班牙"),
    ("LK", "Sri Lanka", "斯里兰卡", "斯里蘭卡"),
    ("SD", "Sudan", "苏丹", "蘇丹"),
    ("SR", "Suriname", "苏里南", "蘇利南"),
    (
        "SJ",
        "Svalbard and Jan Mayen",
        "斯瓦尔巴和扬马延",
        "挪威屬斯瓦巴及尖棉",
    ),
    ("SE", "Sweden", "瑞典", "瑞典"),
    ("CH", "Switzerland", "瑞士", "瑞士"),
    ("SY", "Syria", "叙利亚", "敘利亞"),
    ("TW", "Taiwan", "台湾", "台灣"),
    ("TJ", "Tajikistan", "塔吉克斯坦", "塔吉克"),
    ("TZ", "Tanzania", "坦桑尼亚", "坦尚尼亞"),
    ("TH", "Thailand", "泰国", "泰國"),
    ("TL", "Timor-Leste", "东帝汶", "東帝汶"),
    ("TG", "Togo", "多哥", "多哥"),
    ("TK", "Tokelau", "托克劳", "托克勞群島"),
    ("TO", "Tonga", "汤加", "東加"),
    (
        "TT",
        "Trinidad and Tobago",
        "特立尼达和多巴哥",
        "千里達及托巴哥",
    ),
    ("TN", "Tunisia", "突尼斯", "突尼西亞"),
    ("TM", "Turkmenistan", "土库曼斯坦", "土庫曼"),
    (
        "TC",
        "Turks and Caicos Islands",
        "特克斯和凯科斯群岛",
        "土克斯及開科斯群島",
    ),
    ("TV", "Tuvalu", "图瓦卢", "吐瓦魯"),
    ("TR", "Türkiye", "土耳其", "土耳其"),
    ("UG", "Uganda", "乌干达", "烏干達"),
    ("UA", "Ukraine", "乌克兰", "烏克蘭"),
    (
        "AE",
        "United Arab Emirates",
        "阿拉伯联合酋长国",
        "阿拉伯聯合大公國",
    ),
    ("GB", "United Kingdom", "英国", "英國"),
    ("US", "United States", "美国", "美國"),
    (
        "UM",
        "United States Minor Outlying Islands",
        "美国本土外小岛屿",
        "美國本土外小島嶼",
    ),
    ("UY", "Uruguay", "乌拉圭", "烏拉圭"),
    ("UZ", "Uzbekistan", "乌兹别克斯坦", "烏茲別克"),
    ("VU", "Vanuatu", "瓦努阿图", "萬那杜"),
    ("VE", "Venezuela", "委内瑞拉", "委內瑞拉"),
    ("VN", "Vietnam", "越南", "越南"),
    (
        "VG",
        "Virgin Islands, British",
        "英属维尔京群岛",
        "英屬維京群島",
    ),
    (
        "VI",
        "Virgin Islands, U.S.",
        "美属维尔京群岛",
        "美屬維京群島",
    ),
    (
        "WF",
        "Wallis and Futuna",
        "瓦利斯和富图纳",
        "瓦利斯群島和富圖那群島",
    ),
    ("EH", "Western Sahara", "西撒哈拉", "西撒哈拉"),
    ("YE", "Yemen", "也门", "葉門"),
    ("ZM", "Zambia", "赞比亚", "尚比亞"),
    ("ZW", "Zimbabwe", "津巴布韦", "辛巴威"),
    ("AX", "Åland Islands", "奥兰群岛", "奧蘭群島"),
];

/// Positions in [`COUNTRIES`] in the order Simplified Chinese sorts the names (pinyin).
pub const ORDER_ZH_HANS: &[u16] = &[
    1, 2, 0, 9, 232, 11, 165, 14, 64, 70, 106, 68, 4, 5, 6, 8, 13, 248, 12, 18, 170, 15, 166, 171,
    168, 16, 169, 30, 19, 23, 33, 163, 162, 22, 20, 101, 177, 175, 27, 25, 21, 28, 24, 34, 35, 29,
    161, 66, 59, 82, 220, 221, 62, 61, 180, 63, 67, 75, 72, 77, 76, 78, 187, 97, 173, 73, 74, 36,
    71, 80, 49, 50, 47, 52, 87, 86, 81, 91, 54, 88, 89, 94, 114, 95, 206, 153, 26, 199, 96, 145,
    98, 116, 60, 118, 92, 93, 39, 83, 79, 37, 57, 247, 38, 178, 40, 46, 48, 58, 117, 53, 115, 51,
    55, 120, 122, 119, 121, 126, 123, 124, 125, 182, 127, 181, 179, 129, 107, 132, 134, 130, 131,
    133, 135, 136, 139, 138, 137, 234, 235, 3, 242, 144, 146, 17, 172, 141, 149, 142, 147, 143,
    148, 140, 150, 204, 7, 205, 207, 151, 156, 152, 157, 158, 159, 164, 160, 167, 174, 176, 111,
    213, 214, 65, 190, 195, 197, 194, 56, 196, 193, 183, 45, 192, 184, 185, 186, 191, 188, 189,
    209, 200, 201, 212, 69, 210, 211, 202, 203, 217, 216, 219, 218, 223, 227, 224, 225, 228, 229,
    226, 222, 243, 238, 90, 239, 32, 230, 231, 236, 237, 208, 244, 85, 198, 154, 155, 100, 215,
    110, 10, 245, 105, 104, 108, 109, 102, 103, 233, 241, 31, 113, 240, 246, 112, 42, 84, 43, 41,
    44, 128, 99,
];

/// Positions in [`COUNTRIES`] in the order Traditional Chinese sorts the names (strokes).
pub const ORDER_ZH_HANT: &[u16] = &[
    224, 229, 227, 226, 24, 41, 44, 99, 128, 59, 63, 67, 170, 30, 18, 171, 16, 15, 169, 168, 166,
    111, 20, 110, 108, 39, 79, 163, 162, 161, 178, 54, 216, 69, 157, 156, 152, 34, 29, 88, 90, 243,
    80, 19, 174, 126, 105, 104, 101, 125, 100, 103, 102, 60, 116, 118, 228, 61, 62, 221, 8, 6, 5,
    4, 222, 23, 70, 208, 244, 53, 124, 98, 85, 32, 193, 21, 22, 66, 247, 10, 14, 218, 158, 239, 17,
    246, 167, 120, 223, 220, 75, 72, 76, 78, 77, 187, 27, 28, 177, 175, 84, 115, 74, 232, 9, 165,
    0, 2, 1, 180, 33, 204, 205, 7, 206, 207, 114, 42, 37, 25, 46, 117, 225, 113, 234, 235, 242, 3,
    233, 31, 241, 137, 83, 49, 50, 47, 52, 64, 51, 55, 164, 212, 91, 86, 87, 219, 95, 230, 231,
    236, 237, 182, 172, 150, 155, 159, 203, 202, 136, 133, 131, 130, 139, 135, 129, 134, 132, 141,
    57, 215, 107, 97, 11, 199, 153, 26, 148, 38, 81, 92, 93, 73, 209, 200, 201, 43, 173, 58, 240,
    40, 217, 194, 196, 195, 13, 248, 68, 106, 198, 154, 197, 214, 213, 238, 109, 183, 189, 188,
    192, 185, 191, 184, 45, 186, 245, 48, 176, 71, 36, 144, 146, 145, 35, 94, 96, 119, 82, 147,
    143, 142, 138, 149, 121, 140, 112, 12, 181, 127, 160, 151, 123, 122, 56, 65, 190, 179, 89, 210,
    211,
];

/// The languages country names are kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameScript {
    English,
    SimplifiedChinese,
    TraditionalChinese,
}

/// Whether `code` is an ISO 3166-1 alpha-2 code (upper case).
pub fn is_known_country(code: &str) -> bool {
    COUNTRIES.iter().any(|(c, ..)| *c == code)
}

fn name_of(
    row: &(&'static str, &'static str, &'static str, &'static str),
    script: NameScript,
) -> &'static str {
    match script {
        NameScript::English => row.1,
        NameScript::SimplifiedChinese => row.2,
        NameScript::TraditionalChinese => row.3,
    }
}

/// The English name of a country code, or the code itself when unknown.
pub fn country_name(code: &str) -> &str {
    country_name_in(NameScript::English, code)
}

/// A country's name in `script`, or the code itself when unknown.
pub fn country_name_in(script: NameScript, code: &str) -> &str {
    COUNTRIES
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|row| name_of(row, script))
        .unwrap_or(code)
}

/// Every country as (code, name) in `script`, in the order readers of that language sort them.
pub fn countries_in(script: NameScript) -> impl Iterator<Item = (&'static str, &'static str)> {
    let order: Box<dyn Iterator<Item = usize>> = match script {
        NameScript::English => Box::new(0..COUNTRIES.len()),
        NameScript::SimplifiedChinese => Box::new(ORDER_ZH_HANS.iter().map(|&i| i as usize)),
        NameScript::TraditionalChinese => Box::new(ORDER_ZH_HANT.iter().map(|&i| i as usize)),
    };
    order.map(move |i| (COUNTRIES[i].0, name_of(&COUNTRIES[i], script)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_iso_codes() {
        assert!(is_known_country("US"));
        assert!(is_known_country("CN"));
        assert!(!is_known_country("us"), "codes are upper case");
        assert!(!is_known_country("XX"));
        assert_eq!(country_name("DE"), "Germany");
        assert_eq!(country_name("ZZ"), "ZZ");
        assert!(COUNTRIES.len() > 240);
        assert_eq!(country_name_in(NameScript::SimplifiedChinese, "DE"), "德国");
        assert_eq!(
            country_name_in(NameScript::TraditionalChinese, "DE"),
            "德國"
        );
        // Each order lists every country once; pinyin puts 阿富汗 (a) before 中国 (zh),
        // strokes put 中國 (4 strokes) before 阿富汗 (8).
        for script in [
            NameScript::SimplifiedChinese,
            NameScript::TraditionalChinese,
        ] {
            let mut codes: Vec<&str> = countries_in(script).map(|(c, _)| c).collect();
            assert_eq!(codes.len(), COUNTRIES.len());
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), COUNTRIES.len());
        }
        let at = |script, code| countries_in(script).position(|(c, _)| c == code).unwrap();
        assert!(at(NameScript::SimplifiedChinese, "AF") < at(NameScript::SimplifiedChinese, "CN"));
        assert!(
            at(NameScript::TraditionalChinese, "CN") < at(NameScript::TraditionalChinese, "AF")
        );
    }
}
